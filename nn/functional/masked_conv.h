// The causal convolution of PixelCNN as a function: conv2d(x, weight * mask)
// (nn/modules/masked_conv.h states the masks). The module calls masked_conv2d;
// the speed path below lives here, with the conv ops, not in the module.
//
// On the CPU, with the causal geometry (odd kernel, stride 1, dilation 1,
// padding kernel/2), the masked taps are skipped instead of multiplied by
// zero. With the kernel centre (ch, cw):
//   out(i,j) = sum over the unmasked (a,b) of W[a,b] x(i+a-ch, j+b-cw)
//            = [rows above:  a < ch, every b]  a (ch x kW) conv over x shifted down by one row
//            + [centre row:  a = ch, b < m]    a (1 x m) conv over x shifted right
// (m = cw for 'A', cw + 1 for 'B'), so a 7x7 kernel costs 24 ('A') or 25 ('B')
// taps instead of 49. Both parts are differentiable convs: the gradients are
// those of conv2d(x, weight * mask), masked taps getting zero. Other devices
// and geometries take one conv2d with weight * mask (one cuDNN call on the GPU).
#pragma once
#include "nn/functional/conv.h"

namespace dgm::nn::functional {

// mask: the (out, in/groups, kH, kW) 0/1 mask of type mask_type ('A' or 'B').
Tensor masked_conv2d(const Tensor& input, const Tensor& weight, const Tensor& mask, char mask_type,
                     const Tensor& bias = {}, Int2 stride = 1, Int2 padding = 0, Int2 dilation = 1, int64_t groups = 1);

// Whether masked_conv2d takes the split path for these arguments (CPU, the
// causal geometry, and both parts non-empty).
bool masked_conv2d_splits_by_rows(const Tensor& input, const Tensor& weight, char mask_type, Int2 stride, Int2 padding,
                                  Int2 dilation);

}  // namespace dgm::nn::functional
