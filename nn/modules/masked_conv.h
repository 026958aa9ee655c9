// MaskedConv2d: the causal convolution of PixelCNN (van den Oord et al., 2016).
// Pixels are generated in raster order (row by row, left to right), so the
// output at (i, j) may only see inputs before (i, j) (mask 'A', the first
// layer: the pixel itself is what is predicted) or at and before (i, j)
// (mask 'B', later layers, whose input at (i, j) already excludes pixel (i, j)).
//
// The mask is a buffer of the weight's shape (out, in/groups, kH, kW): with the
// kernel centre (ch, cw) = (kH/2, kW/2),
//   mask[.., a, b] = 1 if a < ch or (a == ch and b < cw)   (type 'A')
//                    1 if a < ch or (a == ch and b <= cw)  (type 'B')
// and forward is conv2d(x, weight * mask, bias, ...), so masked weights get a
// zero gradient. The mask is spatial only: every channel of an earlier pixel
// is visible (PixelCNN's split of the R, G, B channels into groups is not
// done). The causal guarantee needs an odd kernel, stride 1, dilation 1 and
// padding = kernel/2 (the "same" output size) -- the defaults here.
//
// forward is functional::masked_conv2d, which on the CPU, with that geometry,
// skips the masked taps instead of multiplying them by zero (about half the
// multiply-adds for a square kernel); on the GPU it is one cuDNN call with
// weight * mask (nn/functional/masked_conv.h).
#pragma once
#include <optional>

#include "nn/modules/conv.h"

namespace dgm::nn {

class MaskedConv2d : public Conv2d {
 public:
  // padding defaults to kernel_size / 2 (output size = input size).
  MaskedConv2d(char mask_type, int64_t in_channels, int64_t out_channels, Int2 kernel_size, Int2 stride = 1,
               std::optional<Int2> padding = std::nullopt, Int2 dilation = 1, int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MaskedConv2d"; }
  std::string extra_repr() const override;

  char mask_type;
  Tensor mask;  // buffer, same shape and dtype as weight
};

}  // namespace dgm::nn
