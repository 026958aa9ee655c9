#include "nn/functional/linear.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/linalg.h"
#include "tensor/random.h"

namespace dgm::nn::functional {

// A composite: its gradients are those of matmul and add,
// dL/dx = g W, dL/dW = g^T x (summed over batch dims), dL/db = sum of g over batch dims.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  DGM_CHECK(weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features), got shape ",
            shape_str(weight.shape()));
  DGM_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input of shape ", shape_str(x.shape()),
            " does not match weight of shape ", shape_str(weight.shape()), " (", x.dim() ? x.size(-1) : 0,
            " != ", weight.size(1), ")");
  DGM_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)), "linear: bias of shape ",
            bias.defined() ? shape_str(bias.shape()) : "", " does not match weight of shape ",
            shape_str(weight.shape()));
  Tensor y = matmul(x, weight.t());
  return bias.defined() ? y + bias : y;
}

// y = x * mask / (1 - p), mask ~ Bernoulli(1 - p); the gradient is g * mask / (1 - p).
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  DGM_CHECK(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0.0;
  Tensor keep = bernoulli(x.shape(), 1 - p, TensorOptions(x.dtype()).device(x.device()), gen);
  return x * (keep * (1.0 / (1 - p)));
}

}  // namespace dgm::nn::functional
