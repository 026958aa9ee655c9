// Seminar 7's AdaIN (adaptive instance normalization): each channel of each example is normalized over its
// pixels, then scaled and shifted by a style computed from w,
//   out = style_scale(w)[:, :, None, None] * InstanceNorm2d(x) + style_shift(w)[:, :, None, None],
// with style_scale and style_shift Linear(w_dim, C) and InstanceNorm2d without affine parameters (eps 1e-5, the
// biased variance), as the seminar writes it (the scale multiplies directly, no "1 +").
#pragma once
#include <memory>

#include "nn/modules/linear.h"
#include "nn/modules/normalization.h"

namespace dgm::models::gan {

class AdaIN : public nn::Module {
 public:
  AdaIN(int64_t channels, int64_t w_dim);
  // x (B, C, H, W), w (B, w_dim) -> (B, C, H, W).
  Tensor forward(const Tensor& x, const Tensor& w);
  std::string name() const override { return "AdaIN"; }

  int64_t channels, w_dim;
  std::shared_ptr<nn::InstanceNorm2d> instance_norm;
  std::shared_ptr<nn::Linear> style_scale_transform, style_shift_transform;
};

}  // namespace dgm::models::gan
