// The fused ELU gradient kernel (no autograd), CPU only: one pass instead of
// the composite where(x > 0, g, g * alpha * exp(min(x, 0))), whose five ops
// (a comparison, a clamp, an exponential, two products, the select) each read
// and write the whole tensor. The forward is already one kernel
// (kernels::Unary::Elu).
//   elu(x) = x if x > 0 else alpha (exp(x) - 1);   d elu / dx = 1 if x > 0 else alpha exp(x)
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

// dx = g if x > 0 else g alpha exp(x) (NaN x gives NaN); g and x contiguous float32/float64 on the CPU, one shape
// and dtype.
Tensor elu_backward(const Tensor& g, const Tensor& x, double alpha);

}  // namespace dgm::kernels
