// softmax and log_softmax along one dim, as torch.softmax / torch.log_softmax.
// Both are stable (the detached max is subtracted first) and are composites
// of differentiable ops, so they differentiate any number of times.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m)
Tensor softmax(const Tensor& x, int64_t dim);
// log_softmax(x)_i = x_i - logsumexp(x)
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::log_softmax;
using nn::functional::softmax;
}  // namespace dgm
