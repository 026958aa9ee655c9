// Seminar 7's InjectNoise: StyleGAN's per-pixel noise, one N(0, 1) map per example shared by all channels and
// scaled by a learned weight per channel:
//   out = x + weight * noise,   x (B, C, H, W), weight (1, C, 1, 1) (starts N(0, 1) as the seminar's
//   torch.randn), noise (B, 1, H, W) ~ N(0, I) drawn anew at every call.
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models::gan {

class InjectNoise : public nn::Module {
 public:
  explicit InjectNoise(int64_t channels);
  // The noise map from `gen` (null: the default generator).
  Tensor forward(const Tensor& x, Generator* gen);
  Tensor forward(const Tensor& x) override { return forward(x, nullptr); }
  std::string name() const override { return "InjectNoise"; }

  int64_t channels;
  Tensor weight;
};

}  // namespace dgm::models::gan
