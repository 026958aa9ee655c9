// The residual blocks of homework 2's ResNet VAE (COURSE.md §1.2 task 3), on
// images (B, C, H, W):
//
//   ResNetBlock(in, out, kernel_size = 3, stride = 1, final_relu = true)      (hw2.8)
//     residual(x) = conv2(bn2(elu(conv1(bn1(x)))))   conv1: k x k, stride, padding k/2; conv2: "same", stride 1
//     out         = elu(skip(x) + residual(x))       skip: 1x1 conv with the stride; elu only with final_relu
//     (B, in, H, W) -> (B, out, (H - 1) / stride + 1, (W - 1) / stride + 1)   (odd k)
//
//   ResNetTransposeBlock(in, out, kernel_size = 3, stride = 2)              (hw2.9)
//     f(x) = upconv(bn1(x)),  upconv = nearest upsampling by `stride`, then a k x k "same" conv in -> out
//     out  = conv(bn2(f(x))) + f(x)                  conv: k x k "same", out -> out
//     (B, in, H, W) -> (B, out, stride H, stride W)
//
// A "same" convolution (SameConv2d, given) keeps H and W for any kernel size: PyTorch's padding="same",
// (k - 1) / 2 zeros before and the rest after, so an even kernel pads one more at the bottom and right.
// In evaluation mode the BatchNorms use their running statistics (the trainer's test losses and pictures).
#pragma once
#include <memory>

#include "nn/modules/conv.h"
#include "nn/modules/normalization.h"

namespace dgm::models::vae {

// A stride-1 Conv2d with PyTorch's padding="same": pad (k-1)/2 before, k-1-(k-1)/2 after, then convolve.
class SameConv2d : public nn::Conv2d {
 public:
  SameConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SameConv2d"; }
};

class ResNetBlock : public nn::Module {
 public:
  ResNetBlock(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3, int64_t stride = 1,
              bool final_relu = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ResNetBlock"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels, kernel_size, stride;
  bool final_relu;
  // Registered as "bn1", "conv1", "bn2", "conv2", "skip" (the names the reference tests load by).
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<nn::Conv2d> conv1, conv2, skip;
};

class ResNetTransposeBlock : public nn::Module {
 public:
  ResNetTransposeBlock(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3, int64_t stride = 2);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ResNetTransposeBlock"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels, kernel_size, stride;
  // Registered as "bn1", "upconv", "bn2", "conv".
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2;
  std::shared_ptr<SameConv2d> upconv, conv;
};

}  // namespace dgm::models::vae
