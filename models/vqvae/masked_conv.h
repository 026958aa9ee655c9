// Homework 3's masked convolution, for the PixelCNN prior over VQ-VAE codes
// (homework 3 task 2; the same causal convolution as nn::MaskedConv2d, which
// is homework 1's given code, written here as the homework's own task).
//
// With the kernel centre (ch, cw) = (kH/2, kW/2), the mask of the weight
// (out, in, kH, kW) is, in every (out, in) plane:
//   mask[a, b] = 1 if a < ch or (a == ch and b < cw)    type 'A': the pixel itself is hidden
//                1 if a < ch or (a == ch and b <= cw)   type 'B': the pixel itself is seen
// and forward(x) = conv2d(x, weight * mask, bias) with padding kernel/2
// (output size = input size).
#pragma once
#include "nn/modules/conv.h"

namespace dgm::models::vqvae {

class MaskedConv2d : public nn::Conv2d {
 public:
  MaskedConv2d(char mask_type, int64_t in_channels, int64_t out_channels, int64_t kernel_size);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MaskedConv2d"; }
  // The 0/1 mask of type mask_type ('A' or 'B'), of the weight's shape and dtype.
  Tensor create_mask(char mask_type) const;

  char mask_type;
  Tensor mask;  // buffer
};

}  // namespace dgm::models::vqvae
