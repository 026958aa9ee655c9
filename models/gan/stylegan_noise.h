// Seminar 7's InjectNoise: StyleGAN's per-pixel noise, one N(0, 1) map per example shared by all channels and
// scaled by a learned weight per channel:
//   out = x + weight * noise,   x (B, C, H, W), weight (1, C, 1, 1), noise (B, 1, H, W) ~ N(0, I) drawn anew at
//   every call. The weight starts N(0, init_std^2): init_std 1 is the seminar's torch.randn, 0 the StyleGAN paper's
//   zeros (Karras et al. 2019: the noise strengths start at zero).
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models::gan {

class InjectNoise : public nn::Module {
 public:
  explicit InjectNoise(int64_t channels, double init_std = 1.0);
  // The noise map from `gen` (null: the default generator).
  Tensor forward(const Tensor& x, Generator* gen);
  Tensor forward(const Tensor& x) override { return forward(x, nullptr); }
  std::string name() const override { return "InjectNoise"; }

  int64_t channels;
  Tensor weight;
};

}  // namespace dgm::models::gan
