#include "nn/io/trajectory.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "nn/io/canvas.h"
#include "nn/io/image_grid.h"
#include "nn/io/scatter.h"
#include "tensor/error.h"

namespace dgm::nn::io {

namespace {

constexpr int64_t kPadding = 2;

PixelImage render_image_frames(const std::vector<Tensor>& frames, const std::vector<std::string>& captions,
                               std::optional<std::pair<double, double>> value_range) {
  const Tensor& first = frames.front();
  DGM_CHECK(first.is_floating_point(), "save_trajectory: image frames must be floating point, got ",
            dtype_name(first.dtype()));
  DGM_CHECK(first.size(1) == 1 || first.size(1) == 3, "save_trajectory: image frames of shape ",
            shape_str(first.shape()), " need 1 (gray) or 3 (RGB) channels");
  DGM_CHECK(first.size(0) > 0, "save_trajectory: image frames of shape ", shape_str(first.shape()), " hold no samples");
  NoGradGuard no_grad;
  const int64_t t = static_cast<int64_t>(frames.size()), n = first.size(0);
  std::vector<Tensor> cpu;
  for (const Tensor& f : frames) cpu.push_back(f.detach().cpu());
  auto [lo, hi] =
      value_range ? *value_range : std::pair<double, double>{cpu.back().min().item(), cpu.back().max().item()};
  if (!(hi > lo)) hi = lo + 1;
  // (n, T, C, H, W) -> (n T, C, H, W): sample i's frames fill row i.
  Shape rows{n * t, first.size(1), first.size(2), first.size(3)};
  const Tensor all = ((stack(cpu, 1).reshape(rows) - lo) / (hi - lo)).clamp(0, 1);
  const PixelImage grid = to_pixels(make_grid(all, t, kPadding, 1.0), std::pair<double, double>{0, 1});

  const int caption_h = captions.empty() ? 0 : text_height(kFontScale) + 8;
  PixelImage img(grid.width, grid.height + caption_h, 3, 255);
  for (int y = 0; y < grid.height; ++y)
    for (int x = 0; x < grid.width; ++x) {
      const uint8_t* s = grid.at(x, y);
      uint8_t* d = img.at(x, y + caption_h);
      for (int c = 0; c < 3; ++c) d[c] = s[grid.channels == 1 ? 0 : c];
    }
  for (size_t k = 0; k < captions.size(); ++k) {
    const int64_t w = first.size(3);
    draw_centered_text(img, static_cast<int>(kPadding + k * (w + kPadding) + w / 2), 4, captions[k]);
  }
  return img;
}

}  // namespace

PixelImage render_trajectory(const std::vector<Tensor>& frames, const std::vector<std::string>& captions,
                             std::optional<std::pair<double, double>> value_range) {
  DGM_CHECK(!frames.empty(), "save_trajectory: no frames given");
  DGM_CHECK(captions.empty() || captions.size() == frames.size(), "save_trajectory: got ", captions.size(),
            " captions for ", frames.size(), " frames; pass one per frame or none");
  for (size_t k = 0; k < frames.size(); ++k)
    DGM_CHECK(frames[k].defined(), "save_trajectory: frame ", k, " is an undefined tensor");
  const Tensor& first = frames.front();
  const bool images = first.dim() == 4, points = first.dim() == 2 && (first.size(1) == 2 || first.size(1) == 1);
  DGM_CHECK(images || points, "save_trajectory: frame 0 has shape ", shape_str(first.shape()),
            "; expected images (n,C,H,W) or points (n,2)");
  for (size_t k = 1; k < frames.size(); ++k)
    DGM_CHECK(frames[k].shape() == first.shape(), "save_trajectory: frame ", k, " has shape ",
              shape_str(frames[k].shape()), " but frame 0 has ", shape_str(first.shape()),
              "; all frames must have the same shape");
  if (images) return render_image_frames(frames, captions, value_range);
  ScatterPanels panels;
  for (size_t k = 0; k < frames.size(); ++k)
    panels.emplace_back(captions.empty() ? "frame " + std::to_string(k) : captions[k], frames[k]);
  return render_scatter_panels(panels, {}, "", 200);
}

void save_trajectory(const std::string& path, const std::vector<Tensor>& frames,
                     const std::vector<std::string>& captions, std::optional<std::pair<double, double>> value_range) {
  write_png(path, render_trajectory(frames, captions, value_range));
}

}  // namespace dgm::nn::io
