#include "nn/modules/activation.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/softmax.h"

namespace dgm::nn {

Tensor ReLU::forward(const Tensor& x) { return dgm::relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return dgm::leaky_relu(x, negative_slope); }
Tensor ELU::forward(const Tensor& x) { return dgm::elu(x, alpha); }
Tensor SELU::forward(const Tensor& x) { return dgm::selu(x); }
Tensor SiLU::forward(const Tensor& x) { return dgm::silu(x); }
Tensor GELU::forward(const Tensor& x) { return dgm::gelu(x, approximate); }
Tensor Tanh::forward(const Tensor& x) { return dgm::tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) { return dgm::sigmoid(x); }
Tensor Softplus::forward(const Tensor& x) { return dgm::softplus(x, beta, threshold); }
Tensor Softmax::forward(const Tensor& x) { return functional::softmax(x, dim); }
Tensor LogSoftmax::forward(const Tensor& x) { return functional::log_softmax(x, dim); }

}  // namespace dgm::nn
