// group_norm's fast path on the CPU: one fused kernel forward, affine included
// (tensor/kernels/group_norm.h), and one fused backward. Without grad mode
// during backward the kernel's loop computes the gradient; with it on
// (create_graph) group_norm_grad below does, in differentiable ops, so that
// second derivatives work. group_norm_grad is the statement of the formula;
// the kernel's loop is its fast, first-order form (tested to agree).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// The group norm of x (N, C, *) in num_groups groups with the per-channel weight and bias (already checked by
// group_norm), or an undefined Tensor where the fused kernel does not apply (a CUDA tensor, an empty one, weight or
// bias of another dtype or device); group_norm then composes it from ops.
Tensor fused_group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps);

// The gradient of group_norm for output gradient g: {dx, dweight, dbias}, each undefined where needs[i] is false or
// the parameter is undefined. Differentiable ops only. Defined in nn/functional/normalization.cpp, next to the
// composite forward.
std::vector<Tensor> group_norm_grad(const Tensor& g, const Tensor& x, int64_t num_groups, const Tensor& weight,
                                    const Tensor& bias, double eps, const std::vector<bool>& needs);

}  // namespace dgm::nn::functional
