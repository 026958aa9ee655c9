// The fused Adam update (no autograd): one pass over a parameter that does
// what the optimizer's composite of nine elementwise ops does, each element
// read and written once. On the GPU this is one kernel launch per parameter
// instead of about twenty.
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

struct AdamStep {
  double lr, beta1, beta2, eps;
  double bias_correction1;       // 1 - beta1^t
  double bias_correction2_sqrt;  // sqrt(1 - beta2^t)
};

// In place, elementwise, in this order (the composite's order, so both agree):
//   m = m*b1 + g*(1-b1);  v = v*b2 + (g*(1-b2))*g;
//   p = p + (m * (-lr/bc1)) / (sqrt(v)/bc2_sqrt + eps)
// p, g, m, v: contiguous, one floating dtype, one device.
void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamStep& s);

}  // namespace dgm::kernels
