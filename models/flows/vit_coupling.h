// An affine checkerboard coupling whose s and t come from a ViT (the course's
// autumn-2025 homework 2, "RealNVP on MNIST, ViT backbone, Jet-inspired"):
//
//   x_cond = x * mask                                   mask: homework 2's checkerboard (1,1,H,W), 1 = kept
//   (s, t) = ViTAffineConditioner(x_cond)               per pixel, (B,C,H,W) each
//   s = scale * tanh(s) + scale_shift;  s *= (1 - mask);  t *= (1 - mask)
//   forward  z = x * exp(s) + t,     log|det| = s   element-wise (0 on the kept half)
//   inverse  x = (z - t) * exp(-s),  log|det| = -s
//
// The kept half (mask = 1) passes unchanged and is all the conditioner sees,
// so the inverse recomputes the same (s, t) from z * mask = x * mask.
//
// ViTAffineConditioner: ViTEncoder tokens (B, N, dim) -> to_pixels Linear(dim,
// p1*p2*2C) -> "b (h w) (p1 p2 c) -> b c (h p1) (w p2)" -> (B, 2C, H, W), split
// into s = channels [0, C) and t = channels [C, 2C). to_pixels starts at zero
// (weight and bias), so a fresh coupling is the identity with log-det 0.
// scale starts at 1 and scale_shift at 0 (homework 2 starts both at 0, with a
// resnet whose output is not zero; with a zero last layer too, s = 0 * tanh(0)
// would give the s-branch no gradient at all).
#pragma once
#include <memory>
#include <utility>

#include "models/flows/coupling_checkerboard.h"
#include "models/flows/flow_layer.h"
#include "models/flows/vit_encoder.h"

namespace dgm::models::flows {

// The ViT's sizes, with the course's RealNVP settings as defaults.
struct ViTConfig {
  HW image_shape{32, 32};
  HW patch_shape{8, 8};
  int64_t dim = 128;
  int64_t depth = 2;
  int64_t heads = 4;
  int64_t mlp_dim = 256;
  int64_t n_channels = 1;
  int64_t dim_head = 64;
};

// Masked images (B, C, H, W) -> (s, t), each (B, C, H, W).
class ViTAffineConditioner : public nn::Module {
 public:
  explicit ViTAffineConditioner(const ViTConfig& config);
  std::pair<Tensor, Tensor> conditions(const Tensor& x_cond);
  std::string name() const override { return "ViTAffineConditioner"; }

  ViTConfig config;
  std::shared_ptr<ViTEncoder> encoder;
  std::shared_ptr<nn::Linear> to_pixels;  // Linear(dim, p1*p2*2C), zero at the start
};

class ViTAffineCheckerboardCoupling : public FlowLayer {
 public:
  ViTAffineCheckerboardCoupling(bool parity, const ViTConfig& config);
  std::string name() const override { return "ViTAffineCheckerboardCoupling"; }
  std::string extra_repr() const override;

  // x (B, C, H, W) -> (z, log_det) with log_det element-wise, x's shape.
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  bool parity;
  std::shared_ptr<ViTAffineConditioner> conditioner;
  Tensor mask;                // buffer (1,1,H,W): AffineCheckerboardCoupling::build_mask, 1 = kept
  Tensor scale, scale_shift;  // (1) each
};

}  // namespace dgm::models::flows
