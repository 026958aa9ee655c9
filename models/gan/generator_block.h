// The generator's residual block of homework 3 task 3 (the ResNet WGAN-GP of Gulrajani et al. 2017, which the
// course's ConvGenerator follows), on images (B, C, H, W):
//
//   GeneratorBlock(in, out, upsample = false)                                  (hw3.6)
//     main(x)     = conv2(relu(bn2(conv1(up(relu(bn1(x)))))))   conv1, conv2: 3x3, padding 1
//     shortcut(x) = shortcut_conv(up(x))                        shortcut_conv: 1x1, only when in != out
//     out         = main(x) + shortcut(x)
//   up: nearest-neighbour upsampling x2 when `upsample` is set, the identity otherwise.
//   (B, in, H, W) -> (B, out, 2H, 2W) with upsample, (B, out, H, W) without.
//
// The BatchNorms are the generator's (the critic has none); in evaluation mode they use their running statistics.
#pragma once
#include <memory>

#include "nn/modules/conv.h"
#include "nn/modules/normalization.h"

namespace dgm::models::gan {

class GeneratorBlock : public nn::Module {
 public:
  GeneratorBlock(int64_t in_channels, int64_t out_channels, bool upsample = false);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GeneratorBlock"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels;
  bool upsample;
  // Registered as "bn1", "conv1", "bn2", "conv2" and, when in != out, "shortcut_conv" (null otherwise).
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<nn::Conv2d> conv1, conv2, shortcut_conv;
};

}  // namespace dgm::models::gan
