// The resolution changes of the homework 5 task 3 UNet, on (B, C, H, W), channels kept:          (hw5.5)
//
//   DownsampleBlock(C)(x) = Conv3x3(C -> C, stride 2, padding 1)(x)                (B, C, H/2, W/2) for even H, W
//   UpsampleBlock(C)(x)   = Conv3x3(C -> C, padding 1)(bilinear x2 upsample(x))    (B, C, 2H, 2W)
//   (bilinear as torch.nn.functional.interpolate(scale_factor = 2, mode = "bilinear"), align_corners = False)
#pragma once
#include <memory>

#include "nn/modules/conv.h"

namespace dgm::models::diffusion {

class DownsampleBlock : public nn::Module {
 public:
  explicit DownsampleBlock(int64_t channels);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "DownsampleBlock"; }

  int64_t channels;
  std::shared_ptr<nn::Conv2d> conv;
};

class UpsampleBlock : public nn::Module {
 public:
  explicit UpsampleBlock(int64_t channels);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "UpsampleBlock"; }

  int64_t channels;
  std::shared_ptr<nn::Conv2d> conv;
};

}  // namespace dgm::models::diffusion
