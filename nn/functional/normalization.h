// Normalization layers as functions, like torch.nn.functional: layer_norm,
// group_norm, batch_norm. Composites of differentiable ops (mean, var,
// rsqrt, ...), so gradients of every order follow (layer_norm on the CPU is
// one fused kernel with the same gradients: nn/functional/layer_norm_fused.h;
// group_norm's standardization too, its affine step in ops). weight and bias are
// optional: pass an undefined Tensor ({}) for none.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// Normalizes over the last len(normalized_shape) dims, which must equal
// normalized_shape: y = (x - mean) / sqrt(var + eps) * weight + bias, with the
// biased variance. weight and bias have shape normalized_shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

// x (N, C, *): channels split into num_groups groups; each (sample, group)
// is normalized over its channels and spatial positions; weight, bias (C).
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

// x (N, C, *) normalized per channel over N and *. training: batch statistics
// (biased variance to normalize); running_mean/var (C), when given, are
// updated in place as (1 - momentum) * running + momentum * batch, with the
// unbiased variance. Not training: normalizes with running_mean/var.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight = {},
                  const Tensor& bias = {}, bool training = false, double momentum = 0.1, double eps = 1e-5);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::batch_norm;
using nn::functional::group_norm;
using nn::functional::layer_norm;
}  // namespace dgm
