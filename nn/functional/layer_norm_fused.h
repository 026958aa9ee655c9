// layer_norm's fast path on the CPU: one fused kernel forward
// (tensor/kernels/layer_norm.h) and one backward, with the gradient
//   dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)),  gw = g * weight,
//   dweight = sum over rows of g * xhat,  dbias = sum over rows of g,
// where xhat = (x - mean) * rstd and the means run over the normalized dims.
// With grad mode on during backward (create_graph) the same formula is built
// from differentiable ops, so second derivatives still work.
#pragma once
#include "tensor/tensor.h"

namespace dgm::nn::functional {

// The layer norm of x over its trailing normalized_shape (already checked by
// layer_norm), or an undefined Tensor where the fused kernel does not apply
// (a CUDA tensor, an empty one, weight or bias of another dtype or device);
// layer_norm then composes it from ops.
Tensor fused_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                        double eps);

}  // namespace dgm::nn::functional
