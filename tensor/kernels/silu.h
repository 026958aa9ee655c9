// The fused SiLU kernels (no autograd), CPU only: one pass forward and one pass
// backward instead of the composite x * sigmoid(x), whose backward runs a
// sigmoid, its gradient and two products (seven passes over the tensor).
//   silu(x) = x s,  s = sigmoid(x);   d silu / dx = s (1 + x (1 - s))
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

// y = x sigmoid(x); x contiguous float32/float64 on the CPU.
Tensor silu_forward(const Tensor& x);

// dx = g s (1 + x (1 - s)), s = sigmoid(x); g contiguous, of x's shape and dtype.
Tensor silu_backward(const Tensor& g, const Tensor& x);

}  // namespace dgm::kernels
