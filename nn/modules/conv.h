// Conv2d and ConvTranspose2d modules, as torch.nn, over
// nn::functional::conv2d / conv_transpose2d (zero padding only).
//   Conv2d weight (out, in/groups, kH, kW); ConvTranspose2d weight (in, out/groups, kH, kW).
// Both start as PyTorch: weight kaiming_uniform_(a = sqrt(5)), i.e.
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// fan_in = weight.size(1) * kH * kW (for the transpose too, as PyTorch).
#pragma once
#include "nn/functional/conv.h"
#include "nn/module.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Int2 kernel_size, Int2 stride = 1, Int2 padding = 0,
         Int2 dilation = 1, int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  void reset_parameters(Generator* gen = nullptr);
  std::string name() const override { return "Conv2d"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels;
  Int2 kernel_size, stride, padding, dilation;
  int64_t groups;
  Tensor weight, bias;
};

class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Int2 kernel_size, Int2 stride = 1, Int2 padding = 0,
                  Int2 output_padding = 0, int64_t groups = 1, bool bias = true, Int2 dilation = 1);
  Tensor forward(const Tensor& x) override;
  void reset_parameters(Generator* gen = nullptr);
  std::string name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels;
  Int2 kernel_size, stride, padding, output_padding;
  int64_t groups;
  Int2 dilation;
  Tensor weight, bias;
};

namespace detail {
// Python's spelling of a pair: "(3, 3)".
std::string int2_str(Int2 v);
// PyTorch's default conv init of weight and bias (see the top of this file).
void reset_conv(Tensor& weight, Tensor& bias, Generator* gen);
}  // namespace detail

}  // namespace dgm::nn
