// linear and dropout, as torch.nn.functional.linear / dropout.
#pragma once
#include "tensor/tensor.h"

namespace dgm {
class Generator;
}

namespace dgm::nn::functional {

// y = x W^T + b, with x (..., in), W (out, in), b (out)
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// In training, zeroes each element with probability p and scales the rest by
// 1/(1-p) (inverted dropout), so that evaluation is the identity.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::dropout;
using nn::functional::linear;
}  // namespace dgm
