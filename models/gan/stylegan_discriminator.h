// Seminar 7's progressive MicroStyleGAN discriminator, the generator's mirror image.
//
//   from_rgb[s] = LeakyReLU(0.2)(Conv2d(image_channels, C_s, 1)) reads an image of resolution 4 * 2^s;
//   blocks[s] (s >= 1), a ConvBlock C_s -> C_{s-1}: Conv2d(C_s, C_s, 3, pad 1) -> LeakyReLU(0.2)
//     -> Conv2d(C_s, C_{s-1}, 3, pad 1) -> LeakyReLU(0.2) -> AvgPool2d(2), halving the resolution;
//   head: Conv2d(C_0, C_0, 4) (4x4 -> 1x1) -> LeakyReLU(0.2) -> flatten -> Linear(C_0, 1), one logit per image.
// At stage s with fade-in alpha (on the input side):
//   h = alpha * blocks[s](from_rgb[s](x)) + (1 - alpha) * from_rgb[s-1](avg_pool2d(x, 2)),
// then blocks[s-1], ..., blocks[1] and the head. No normalization layer, so examples stay independent (R1).
#pragma once
#include <memory>
#include <vector>

#include "nn/modules/container.h"
#include "nn/modules/conv.h"
#include "nn/modules/linear.h"

namespace dgm::models::gan {

class MicroStyleGANDiscriminator : public nn::Module {
 public:
  // channels: C_s per stage (resolutions 4, 8, 16, ...).
  MicroStyleGANDiscriminator(std::vector<int64_t> channels, int64_t image_channels);
  // Logits (B, 1) of images (B, image_channels, 4 * 2^stage, same).
  Tensor forward(const Tensor& x, int64_t stage, double alpha);
  std::string name() const override { return "MicroStyleGANDiscriminator"; }

  int64_t stages() const { return static_cast<int64_t>(channels_.size()); }

  std::shared_ptr<nn::ModuleList> from_rgb;  // 1 per stage
  std::shared_ptr<nn::ModuleList> blocks;    // 1 per stage; blocks[0] is empty (the head reads stage 0)
  std::shared_ptr<nn::Conv2d> final_conv;
  std::shared_ptr<nn::Linear> linear;

 private:
  Tensor read_rgb(int64_t stage, const Tensor& x);
  std::vector<int64_t> channels_;
  int64_t image_channels_;
};

}  // namespace dgm::models::gan
