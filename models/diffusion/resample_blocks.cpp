#include "models/diffusion/resample_blocks.h"

#include "nn/functional/upsample.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

namespace {

void check_images(const Tensor& x, int64_t channels, const char* who) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels, who, ": expected (B, ", channels, ", H, W), got ",
            shape_str(x.shape()));
}

}  // namespace

DownsampleBlock::DownsampleBlock(int64_t channels_) : channels(channels_) {
  DGM_CHECK(channels > 0, "DownsampleBlock: expected channels > 0, got ", channels);
  // BEGIN SOLUTION hw5.5/down_layers
  conv = register_module("conv", std::make_shared<nn::Conv2d>(channels, channels, 3, 2, 1));
  // END SOLUTION
}

Tensor DownsampleBlock::forward(const Tensor& x) {
  check_images(x, channels, "DownsampleBlock");
  DGM_CHECK(x.size(2) % 2 == 0 && x.size(3) % 2 == 0, "DownsampleBlock: expected even H and W, got ",
            shape_str(x.shape()));
  // BEGIN SOLUTION hw5.5/down_forward
  // stride-2 3x3 conv: (B, C, H, W) -> (B, C, H/2, W/2)
  return conv->forward(x);
  // END SOLUTION
}

UpsampleBlock::UpsampleBlock(int64_t channels_) : channels(channels_) {
  DGM_CHECK(channels > 0, "UpsampleBlock: expected channels > 0, got ", channels);
  // BEGIN SOLUTION hw5.5/up_layers
  conv = register_module("conv", std::make_shared<nn::Conv2d>(channels, channels, 3, 1, 1));
  // END SOLUTION
}

Tensor UpsampleBlock::forward(const Tensor& x) {
  check_images(x, channels, "UpsampleBlock");
  // BEGIN SOLUTION hw5.5/up_forward
  // bilinear x2, then a 3x3 conv that keeps the size
  return conv->forward(nn::functional::interpolate(x, std::nullopt, Scale2(2.0), "bilinear", false));
  // END SOLUTION
}

}  // namespace dgm::models::diffusion
