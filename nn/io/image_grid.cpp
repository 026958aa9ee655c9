#include "nn/io/image_grid.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/factories.h"

namespace dgm::nn::io {

namespace {

void check_images(const char* op, const Tensor& images) {
  DGM_CHECK(images.defined(), op, ": images tensor is undefined");
  DGM_CHECK(images.dim() == 4, op, ": expected images of shape (N,C,H,W), got ", shape_str(images.shape()));
  DGM_CHECK(images.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(images.dtype()));
  DGM_CHECK(images.size(1) == 1 || images.size(1) == 3, op, ": expected 1 (gray) or 3 (RGB) channels, got shape ",
            shape_str(images.shape()));
}

// (lo, hi) the pixel mapping uses: value_range, else the batch's min/max if normalize, else (0, 1).
std::pair<double, double> pixel_range(const Tensor& images, const ImageOptions& options) {
  if (options.value_range) return *options.value_range;
  if (options.normalize && images.numel() > 0) return {images.min().item(), images.max().item()};
  return {0.0, 1.0};
}

// Maps [lo, hi] to [0, 1] so that make_grid's padding value keeps its meaning.
Tensor rescale(const Tensor& images, std::pair<double, double> range) {
  auto [lo, hi] = range;
  if (lo == 0.0 && hi == 1.0) return images;
  return (images - lo) / std::max(hi - lo, 1e-12);
}

}  // namespace

Tensor make_grid(const Tensor& images, int64_t nrow, int64_t padding, double pad_value) {
  check_images("make_grid", images);
  DGM_CHECK(nrow >= 1 && padding >= 0, "make_grid: need nrow >= 1 and padding >= 0, got nrow=", nrow,
            ", padding=", padding);
  DGM_CHECK(images.size(0) >= 1, "make_grid: no images (shape ", shape_str(images.shape()), ")");
  NoGradGuard no_grad;
  const Tensor src = images.detach().cpu();
  const int64_t n = src.size(0), c = src.size(1), h = src.size(2), w = src.size(3);
  const int64_t cols = std::min(nrow, n), rows = (n + cols - 1) / cols;
  Tensor grid = full({c, rows * (h + padding) + padding, cols * (w + padding) + padding}, pad_value, src.dtype());
  for (int64_t k = 0; k < n; ++k) {
    const int64_t top = padding + (k / cols) * (h + padding), left = padding + (k % cols) * (w + padding);
    grid.narrow(1, top, h).narrow(2, left, w).copy_(src.select(0, k));
  }
  return grid;
}

PixelImage to_pixels(const Tensor& image, std::optional<std::pair<double, double>> value_range) {
  DGM_CHECK(image.defined() && (image.dim() == 2 || image.dim() == 3), "to_pixels: expected (C,H,W) or (H,W), got ",
            image.defined() ? shape_str(image.shape()) : "undefined");
  Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image;
  DGM_CHECK(chw.size(0) == 1 || chw.size(0) == 3, "to_pixels: expected 1 or 3 channels, got shape ",
            shape_str(image.shape()));
  DGM_CHECK(chw.size(1) > 0 && chw.size(2) > 0, "to_pixels: empty image of shape ", shape_str(image.shape()));
  auto [lo, hi] = value_range.value_or(std::pair<double, double>{0.0, 1.0});
  const double scale = 1.0 / std::max(hi - lo, 1e-12);
  const int c = static_cast<int>(chw.size(0)), h = static_cast<int>(chw.size(1)), w = static_cast<int>(chw.size(2));
  const std::vector<double> v = chw.to_vector<double>();  // row-major (C,H,W)
  PixelImage out(w, h, c);
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double u = (v[(static_cast<size_t>(ch) * h + y) * w + x] - lo) * scale;
        u = std::isnan(u) ? 0.0 : std::clamp(u, 0.0, 1.0);
        out.at(x, y)[ch] = static_cast<uint8_t>(std::floor(u * 255.0 + 0.5));
      }
  return out;
}

void save_image_grid(const std::string& path, const Tensor& images, const ImageOptions& options) {
  check_images("save_image_grid", images);
  NoGradGuard no_grad;
  Tensor unit = rescale(images.detach().cpu(), pixel_range(images, options));
  write_png(path, to_pixels(make_grid(unit, options.nrow, options.padding, options.pad_value)));
}

void save_image(const std::string& path, const Tensor& image, const ImageOptions& options) {
  DGM_CHECK(image.defined() && (image.dim() == 2 || image.dim() == 3),
            "save_image: expected one image (C,H,W) or (H,W), got ",
            image.defined() ? shape_str(image.shape()) : "undefined", "; use save_image_grid for a batch");
  NoGradGuard no_grad;
  Tensor chw = image.detach().cpu();
  write_png(path, to_pixels(chw, pixel_range(chw, options)));
}

}  // namespace dgm::nn::io
