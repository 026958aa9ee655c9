// layer_norm's fast path on the CPU: one fused kernel forward
// (tensor/kernels/layer_norm.h) and one fused backward. Without grad mode
// during backward the kernel's loop computes the gradient; with it on
// (create_graph) layer_norm_grad below does, in differentiable ops, so that
// second derivatives work. layer_norm_grad is the statement of the formula;
// the kernel's loop is its fast, first-order form (tested to agree).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// The layer norm of x over its trailing normalized_shape (already checked by
// layer_norm), or an undefined Tensor where the fused kernel does not apply
// (a CUDA tensor, an empty one, weight or bias of another dtype or device);
// layer_norm then composes it from ops.
Tensor fused_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                        double eps);

// The gradient of layer_norm over the normalized dims `dims` (the trailing
// ones) for output gradient g: {dx, dweight, dbias}, each undefined where
// needs[i] is false or the parameter is undefined. Differentiable ops only.
// Defined in nn/functional/normalization.cpp, next to the composite forward.
std::vector<Tensor> layer_norm_grad(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                                    const std::vector<int64_t>& dims, double eps, const std::vector<bool>& needs);

}  // namespace dgm::nn::functional
