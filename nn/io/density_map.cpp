#include "nn/io/density_map.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "nn/io/canvas.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::io {

namespace {

constexpr int64_t kBatch = 4096;
constexpr Rgb kMagenta{255, 0, 255}, kPointRgb{255, 255, 255};
// matplotlib's viridis at t = 0, 1/4, 1/2, 3/4, 1.
constexpr Rgb kViridis[] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

void check_box(double x0, double x1, double y0, double y1, int resolution) {
  DGM_CHECK(std::isfinite(x0) && std::isfinite(x1) && std::isfinite(y0) && std::isfinite(y1) && x0 < x1 && y0 < y1,
            "save_density_map: the box must be finite with x0 < x1 and y0 < y1, got [", x0, ", ", x1, "] x [", y0, ", ",
            y1, "]");
  DGM_CHECK(resolution >= 2 && resolution <= 4096, "save_density_map: resolution must be in [2, 4096], got ",
            resolution);
}

}  // namespace

Rgb viridis(double t) {
  if (std::isnan(t)) return kMagenta;
  const double s = std::clamp(t, 0.0, 1.0) * 4;
  const int i = std::min(static_cast<int>(s), 3);
  const double f = s - i;
  Rgb c;
  for (int ch = 0; ch < 3; ++ch)
    c[ch] = static_cast<uint8_t>(std::lround(kViridis[i][ch] + f * (kViridis[i + 1][ch] - kViridis[i][ch])));
  return c;
}

Tensor evaluate_log_density_grid(const LogDensityFn& log_density, double x0, double x1, double y0, double y1,
                                 int resolution) {
  check_box(x0, x1, y0, y1, resolution);
  DGM_CHECK(static_cast<bool>(log_density), "save_density_map: log_density is empty");
  const int64_t r = resolution, total = r * r;
  std::vector<double> out(static_cast<size_t>(total));
  NoGradGuard no_grad;
  for (int64_t start = 0; start < total; start += kBatch) {
    const int64_t b = std::min(kBatch, total - start);
    std::vector<float> xy(static_cast<size_t>(2 * b));
    for (int64_t k = 0; k < b; ++k) {
      const int64_t i = (start + k) / r, j = (start + k) % r;
      xy[2 * k] = static_cast<float>(x0 + (j + 0.5) * (x1 - x0) / r);
      xy[2 * k + 1] = static_cast<float>(y1 - (i + 0.5) * (y1 - y0) / r);
    }
    const Tensor lp = log_density(tensor(xy, {b, 2}, kFloat32));
    DGM_CHECK(lp.defined() && lp.numel() == b && (lp.dim() == 1 || (lp.dim() == 2 && lp.size(1) == 1)),
              "save_density_map: log_density returned shape ", lp.defined() ? shape_str(lp.shape()) : "undefined",
              " for ", b, " points (", b, ",2); expected (", b, ") or (", b, ",1)");
    const std::vector<double> v = lp.to_vector<double>();
    std::copy(v.begin(), v.end(), out.begin() + start);
  }
  return tensor(out, {r, r}, kFloat64);
}

PixelImage render_density_map(const LogDensityFn& log_density, double x0, double x1, double y0, double y1,
                              int resolution, const Tensor& points, const std::string& title) {
  check_box(x0, x1, y0, y1, resolution);
  DGM_CHECK(!points.defined() || (points.dim() == 2 && points.size(1) == 2), "save_density_map: points have shape ",
            points.defined() ? shape_str(points.shape()) : "", "; expected (n,2)");
  const std::vector<double> lp = evaluate_log_density_grid(log_density, x0, x1, y0, y1, resolution).to_vector<double>();
  double top = -std::numeric_limits<double>::infinity();
  for (double v : lp)
    if (std::isfinite(v)) top = std::max(top, v);

  const int glyph_h = text_height(kFontScale), r = resolution;
  const int left = tick_label_width(y0, y1) + 6, title_h = title.empty() ? 8 : glyph_h + 14;
  PixelImage img(left + r + 16, title_h + r + tick_label_height() + 8, 3, 255);
  const Axes axes{{left, title_h, left + r - 1, title_h + r - 1}, x0, x1, y0, y1};
  // Pixel column j shows the cell centred at x0 + (j + 1/2)(x1 - x0)/R: ticks map through the first and last
  // cell centres (half a cell inside the box), so a tick at x lands on the column whose cell holds x.
  const double hx = (x1 - x0) / (2 * r), hy = (y1 - y0) / (2 * r);
  const Axes tick_axes{axes.area, x0 + hx, x1 - hx, y0 + hy, y1 - hy};
  draw_ticks(img, tick_axes, false);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < r; ++j) {
      const double v = lp[static_cast<size_t>(i) * r + j];
      Rgb c;
      if (std::isnan(v) || v == std::numeric_limits<double>::infinity() || !std::isfinite(top))
        c = kMagenta;
      else
        c = viridis(std::exp(v - top));  // -inf -> 0
      uint8_t* p = img.at(left + j, title_h + i);
      p[0] = c[0], p[1] = c[1], p[2] = c[2];
    }
  if (points.defined()) {
    const std::vector<double> v = points.to_vector<double>();
    for (size_t k = 0; k + 1 < v.size(); k += 2) {
      if (!std::isfinite(v[k]) || !std::isfinite(v[k + 1])) continue;
      if (v[k] < x0 || v[k] > x1 || v[k + 1] < y0 || v[k + 1] > y1) continue;
      const int px = static_cast<int>(std::floor((v[k] - x0) / (x1 - x0) * r));
      const int py = static_cast<int>(std::floor((y1 - v[k + 1]) / (y1 - y0) * r));
      fill_rect(img, {left + px, title_h + py, left + px + 1, title_h + py + 1}, kPointRgb, axes.area);
    }
  }
  draw_frame(img, axes);
  if (!title.empty()) draw_centered_text(img, left + r / 2, 6, title);
  return img;
}

void save_density_map(const std::string& path, const std::function<Tensor(const Tensor&)>& log_density, double x0,
                      double x1, double y0, double y1, int resolution, const Tensor& points) {
  write_png(path, render_density_map(log_density, x0, x1, y0, y1, resolution, points));
}

}  // namespace dgm::nn::io
