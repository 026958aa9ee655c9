// The critic's residual block of homework 3 task 3, on images (B, C, H, W):
//
//   CriticBlock(in, out, downsample = false, first = false)                   (hw3.8)
//     main(x)     = pool(conv2(relu(conv1(act(x)))))    conv1, conv2: 3x3, padding 1; act = relu, none when first
//     shortcut(x) = pool(shortcut_conv(x))              shortcut_conv: 1x1, only when in != out
//     out         = main(x) + shortcut(x)
//   pool: avg_pool (below) when `downsample` is set, the identity otherwise.
//   (B, in, H, W) -> (B, out, H/2, W/2) with downsample, (B, out, H, W) without.
//
// No BatchNorm: the gradient penalty is a norm per example, which a BatchNorm would mix across the batch
// (homework 3: "gradient penalty must be per-sample").
#pragma once
#include <memory>

#include "nn/modules/conv.h"

namespace dgm::models::gan {

// The course's given average pool: (x[:,:,::2,::2] + x[:,:,1::2,::2] + x[:,:,::2,1::2] + x[:,:,1::2,1::2]) / 4,
// i.e. the mean of each 2x2 block (B, C, H, W) -> (B, C, H/2, W/2); H and W must be even.
Tensor avg_pool(const Tensor& x);

class CriticBlock : public nn::Module {
 public:
  CriticBlock(int64_t in_channels, int64_t out_channels, bool downsample = false, bool first = false);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "CriticBlock"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels;
  bool downsample, first;
  // Registered as "conv1", "conv2" and, when in != out, "shortcut_conv" (null otherwise).
  std::shared_ptr<nn::Conv2d> conv1, conv2, shortcut_conv;
};

}  // namespace dgm::models::gan
