// Upsampling (resizing) of (N,C,H,W) images as torch.nn.functional.interpolate,
// modes "nearest" and "bilinear". Give the output size or the scale factors
// (output size = floor(in * scale)). As in PyTorch, a given scale factor is
// also what maps output to input coordinates (1/scale), else in/out is:
//   nearest:  src = min(floor(dst * in/out), in - 1)
//   bilinear: src = max((dst + 0.5) * in/out - 0.5, 0) (align_corners=false),
//             src = dst * (in-1)/(out-1) (align_corners=true),
//             then interpolate between floor(src) and floor(src) + 1.
#pragma once
#include <optional>
#include <string>

#include "nn/functional/conv.h"

namespace dgm::nn::functional {

// Scale factors (height, width); a single number means both.
struct Scale2 {
  double h = 1, w = 1;
  Scale2(double v) : h(v), w(v) {}  // NOLINT: implicit, as a Python float
  Scale2(double h_, double w_) : h(h_), w(w_) {}
};

Tensor upsample_nearest2d(const Tensor& input, std::optional<Int2> output_size,
                          std::optional<Scale2> scale_factors = std::nullopt);
Tensor upsample_bilinear2d(const Tensor& input, std::optional<Int2> output_size, bool align_corners = false,
                           std::optional<Scale2> scale_factors = std::nullopt);
// mode: "nearest" or "bilinear"; exactly one of size and scale_factor.
Tensor interpolate(const Tensor& input, std::optional<Int2> size, std::optional<Scale2> scale_factor = std::nullopt,
                   const std::string& mode = "nearest", bool align_corners = false);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::interpolate;
using nn::functional::Scale2;
using nn::functional::upsample_bilinear2d;
using nn::functional::upsample_nearest2d;
}  // namespace dgm
