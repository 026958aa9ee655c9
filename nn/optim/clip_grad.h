// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
// Both change the gradients in place and skip parameters without one.
#pragma once
#include <limits>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::optim {

// The norm of all gradients together, as if concatenated into one vector
// (norm_type = infinity: the largest |g|). Every gradient is then multiplied by
// min(1, max_norm / (total + 1e-6)), PyTorch's formula: when total > max_norm
// the gradients end up with norm just below max_norm. Returns the total norm
// before clipping (0 when no parameter has a gradient). With
// error_if_nonfinite, a NaN or infinite total throws dgm::Error instead.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2,
                       bool error_if_nonfinite = false);

// g = clamp(g, -clip_value, clip_value) for every gradient.
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace dgm::nn::optim
