// 2-d convolution and its transpose, as torch.nn.functional.conv2d and
// conv_transpose2d: input (N,C,H,W) (or unbatched (C,H,W)), weight
// (O, C/groups, kH, kW) for conv2d and (C, O/groups, kH, kW) for the transpose.
//
//   Tensor y = dgm::conv2d(x, w, b, /*stride=*/2, /*padding=*/{1, 2});
//
// Output size along each axis: Ho = (H + 2p - d(k-1) - 1) / s + 1 for conv2d,
// Ho = (H-1)s - 2p + d(k-1) + output_padding + 1 for conv_transpose2d.
//
// The three ops conv2d(x, w), conv2d_input_grad(g, w) and
// conv2d_weight_grad(x, g) are the three adjoints of one trilinear form
// <conv2d(x, w), g>; each one's gradient is written with the other two, so
// derivatives of any order are exact.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// A pair of sizes (height, width); a single number means both, as in PyTorch:
// conv2d(x, w, {}, 2) or conv2d(x, w, {}, {2, 1}).
struct Int2 {
  int64_t h = 0, w = 0;
  Int2(int64_t v) : h(v), w(v) {}  // NOLINT: implicit, like PyTorch's ExpandingArray
  Int2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
};

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, Int2 stride = 1, Int2 padding = 0,
              Int2 dilation = 1, int64_t groups = 1);

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, Int2 stride = 1,
                        Int2 padding = 0, Int2 output_padding = 0, int64_t groups = 1, Int2 dilation = 1);

// The gradient of conv2d w.r.t. its input (torch.nn.grad.conv2d_input):
// grad_output (N,O,Ho,Wo) -> (N,C,H,W) with input_shape = (N,C,H,W).
Tensor conv2d_input_grad(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape, Int2 stride = 1,
                         Int2 padding = 0, Int2 dilation = 1, int64_t groups = 1);
// The gradient of conv2d w.r.t. its weight (torch.nn.grad.conv2d_weight):
// (input, grad_output) -> weight_shape = (O, C/groups, kH, kW).
Tensor conv2d_weight_grad(const Tensor& input, const Tensor& grad_output, const Shape& weight_shape, Int2 stride = 1,
                          Int2 padding = 0, Int2 dilation = 1, int64_t groups = 1);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::conv2d;
using nn::functional::conv2d_input_grad;
using nn::functional::conv2d_weight_grad;
using nn::functional::conv_transpose2d;
using nn::functional::Int2;
}  // namespace dgm
