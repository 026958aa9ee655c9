// The classifier of classifier guidance (lecture 10): p_phi(y | x_t, t) on noisy images x_t of the forward
// diffusion, with the timestep as an input. A small conv net for 1x32x32 images in [-1, 1]:
//
//   temb  = Linear(SiLU(Linear(sinusoidal(t, width))))                                  (B, width)
//   h1    = SiLU(GroupNorm(Conv3x3(x)))                         + temb_1  (width,  32x32)
//   h2    = SiLU(GroupNorm(Conv3x3 stride 2(h1)))               + temb_2  (2 width, 16x16)
//   h3    = SiLU(GroupNorm(Conv3x3 stride 2(h2)))                         (2 width,  8x8)
//   h4    = SiLU(GroupNorm(Conv3x3 stride 2(h3)))                         (4 width,  4x4)
//   logits = Linear(mean over 4x4 of h4)                                  (B, classes)
//
// sinusoidal(t, d)_i = sin(t w_i) for i < d/2 and cos(t w_{i - d/2}) after, w_i = 10000^(-i / (d/2)); temb_k is a
// per-channel Linear projection of temb, broadcast over the pixels. Trained by cross-entropy on x_t = forward
// diffusion of labelled images at t ~ U{0..T-1} (classifier_guided_ddpm.h).
#pragma once
#include <memory>

#include "nn/module.h"
#include "nn/modules/conv.h"
#include "nn/modules/linear.h"
#include "nn/modules/normalization.h"

namespace dgm::models::diffusion {

// sin/cos features of timesteps t (B) int64 -> (B, dim) float32, dim even.
Tensor sinusoidal_timestep_features(const Tensor& t, int64_t dim);

class NoisyClassifier : public nn::Module {
 public:
  NoisyClassifier(int64_t width = 32, int64_t classes = 10, int64_t in_channels = 1);
  std::string name() const override { return "NoisyClassifier"; }
  std::string extra_repr() const override;
  // x_t (B, in_channels, 32, 32), t (B) int64 -> logits (B, classes)
  Tensor logits(const Tensor& x_t, const Tensor& t);

  int64_t width, classes, in_channels;
  std::shared_ptr<nn::Linear> time1, time2, proj1, proj2, head;
  std::shared_ptr<nn::Conv2d> conv1, conv2, conv3, conv4;
  std::shared_ptr<nn::GroupNorm> norm1, norm2, norm3, norm4;
};

}  // namespace dgm::models::diffusion
