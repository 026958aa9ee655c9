// Saving image tensors as PNG, laid out like torchvision.utils.make_grid / save_image.
//
// make_grid places N images (N,C,H,W) in rows of `nrow`, with `padding` pixels
// of `pad_value` between the images and around the border:
//
//   grid width  = cols * (W + padding) + padding,  cols = min(nrow, N)
//   grid height = rows * (H + padding) + padding,  rows = ceil(N / cols)
//   image k sits at row k / cols, column k % cols, its top-left pixel at
//   (padding + row * (H + padding), padding + col * (W + padding)).
//
// Differences from torchvision, on purpose: a single image is padded too
// (torchvision returns it bare), and 1-channel images stay 1-channel (written
// as grayscale PNG; torchvision repeats them to RGB).
//
// Pixel values: v in [lo, hi] maps to [0, 255] as floor(255 * (v - lo) / (hi - lo) + 0.5),
// clamped. (lo, hi) is value_range if given, else the batch's (min, max) if
// normalize, else (0, 1). Normalization happens before padding, so the padding
// keeps pad_value (on the [0, 1] scale: 0 = black).
//
// A latent interpolation grid (rows = pairs, columns = steps) needs no helper
// of its own: decode the P x S latents z_ps = (1 - a_s) z_p + a_s z'_p,
// a_s = s / (S - 1), in row-major order (pair p's S steps one after another),
// then
//   nn::io::save_image_grid("interp.png", decoded.reshape({P * S, C, H, W}), {.nrow = S});
// puts pair p in row p and step s in column s. Frames along sampling time are
// nn/io/trajectory.h (save_trajectory).
#pragma once
#include <optional>
#include <string>
#include <utility>

#include "nn/io/png.h"
#include "tensor/tensor.h"

namespace dgm::nn::io {

struct ImageOptions {
  int64_t nrow = 8;                                      // images per row of the grid
  int64_t padding = 2;                                   // pixels between images and around the border
  double pad_value = 0;                                  // on the [0, 1] output scale
  bool normalize = false;                                // map the batch's [min, max] to [0, 1]
  std::optional<std::pair<double, double>> value_range;  // map [lo, hi] to [0, 1] (takes precedence)
};

// (N,C,H,W) -> (C, grid height, grid width), same floating dtype, on the CPU.
// Values are copied as they are (no normalization).
Tensor make_grid(const Tensor& images, int64_t nrow = 8, int64_t padding = 2, double pad_value = 0);

// (C,H,W) or (H,W) floating tensor, C = 1 or 3 -> 8-bit pixels (see the mapping above).
PixelImage to_pixels(const Tensor& image, std::optional<std::pair<double, double>> value_range = std::nullopt);

// (N,C,H,W), C = 1 (grayscale) or 3 (RGB), written as one PNG grid.
void save_image_grid(const std::string& path, const Tensor& images, const ImageOptions& options = {});
// One image (C,H,W) or (H,W), no padding. options.normalize / value_range apply.
void save_image(const std::string& path, const Tensor& image, const ImageOptions& options = {});

}  // namespace dgm::nn::io
