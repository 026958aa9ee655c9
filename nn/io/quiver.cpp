#include "nn/io/quiver.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nn/io/canvas.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::io {

namespace {

constexpr Rgb kPointRgb{200, 200, 200}, kArrowRgb{31, 119, 180};

// The lattice: grid^2 points (n, 2) float32, row-major from (x0, y0), cell centres.
Tensor lattice(double x0, double x1, double y0, double y1, int grid) {
  std::vector<float> v;
  v.reserve(static_cast<size_t>(grid) * grid * 2);
  for (int j = 0; j < grid; ++j)
    for (int i = 0; i < grid; ++i) {
      v.push_back(static_cast<float>(x0 + (i + 0.5) * (x1 - x0) / grid));
      v.push_back(static_cast<float>(y0 + (j + 0.5) * (y1 - y0) / grid));
    }
  return tensor(v, {static_cast<int64_t>(grid) * grid, 2});
}

// An arrow from (ax, ay) to (bx, by) in pixels, with a head of two strokes at 25 degrees.
void draw_arrow(PixelImage& img, double ax, double ay, double bx, double by, const Rect& clip) {
  auto r = [](double v) { return static_cast<int>(std::lround(v)); };
  draw_line(img, r(ax), r(ay), r(bx), r(by), kArrowRgb, clip);
  const double len = std::hypot(bx - ax, by - ay);
  if (len < 2) return;
  const double head = std::min(5.0, 0.4 * len), ux = (ax - bx) / len, uy = (ay - by) / len;
  const double c = std::cos(0.44), s = std::sin(0.44);
  draw_line(img, r(bx), r(by), r(bx + head * (c * ux - s * uy)), r(by + head * (s * ux + c * uy)), kArrowRgb, clip);
  draw_line(img, r(bx), r(by), r(bx + head * (c * ux + s * uy)), r(by + head * (-s * ux + c * uy)), kArrowRgb, clip);
}

}  // namespace

PixelImage render_quiver_panels(const std::vector<QuiverPanel>& panels, double x0, double x1, double y0, double y1,
                                int grid, int panel_size) {
  DGM_CHECK(!panels.empty(), "save_quiver_panels: no panels given");
  DGM_CHECK(x1 > x0 && y1 > y0, "save_quiver_panels: expected x0 < x1 and y0 < y1, got [", x0, ", ", x1, "] x [", y0,
            ", ", y1, "]");
  DGM_CHECK(grid >= 2 && grid <= 200, "save_quiver_panels: grid must be in [2, 200], got ", grid);
  DGM_CHECK(panel_size >= 64 && panel_size <= 4096, "save_quiver_panels: panel_size must be in [64, 4096], got ",
            panel_size);
  const Tensor where = lattice(x0, x1, y0, y1, grid);
  const int glyph_h = text_height(kFontScale);
  const int left = tick_label_width(y0, y1) + 6, right = 24, cell_w = left + panel_size + right;
  const int panel_title_h = 2 * glyph_h + 16;
  const int width = cell_w * static_cast<int>(panels.size());
  const int height = panel_title_h + panel_size + tick_label_height() + 8;
  PixelImage img(width, height, 3, 255);
  for (size_t k = 0; k < panels.size(); ++k) {
    const QuiverPanel& p = panels[k];
    DGM_CHECK(p.field, "save_quiver_panels: panel '", p.title, "' has no vector field");
    const Tensor v = p.field(where);
    DGM_CHECK(v.defined() && v.shape() == where.shape(), "save_quiver_panels: the field of panel '", p.title,
              "' returned ", v.defined() ? shape_str(v.shape()) : std::string("nothing"), " for points ",
              shape_str(where.shape()), "; expected one 2-D vector per point");
    const std::vector<double> vec = v.to_vector<double>(), at = where.to_vector<double>();
    double longest = 0;
    for (size_t i = 0; i + 1 < vec.size(); i += 2)
      if (std::isfinite(vec[i]) && std::isfinite(vec[i + 1]))
        longest = std::max(longest, std::hypot(vec[i], vec[i + 1]));
    const int cx = static_cast<int>(k) * cell_w;
    const Axes axes{
        {cx + left, panel_title_h, cx + left + panel_size - 1, panel_title_h + panel_size - 1}, x0, x1, y0, y1};
    draw_ticks(img, axes, false);
    if (p.points.defined()) {
      DGM_CHECK(p.points.dim() == 2 && p.points.size(1) == 2, "save_quiver_panels: points of panel '", p.title,
                "' have shape ", shape_str(p.points.shape()), "; expected (n, 2)");
      const std::vector<double> pts = p.points.to_vector<double>();
      for (size_t i = 0; i + 1 < pts.size(); i += 2) {
        if (!std::isfinite(pts[i]) || !std::isfinite(pts[i + 1])) continue;
        const int px = static_cast<int>(std::lround(axes.px(pts[i]))),
                  py = static_cast<int>(std::lround(axes.py(pts[i + 1])));
        fill_rect(img, {px - 1, py - 1, px + 1, py + 1}, kPointRgb, axes.area);
      }
    }
    // the longest arrow spans 0.9 of a lattice cell
    const double cell = static_cast<double>(panel_size) / grid, scale = longest > 0 ? 0.9 * cell / longest : 0;
    for (size_t i = 0; i + 1 < vec.size(); i += 2) {
      if (!std::isfinite(vec[i]) || !std::isfinite(vec[i + 1])) continue;
      const double ax = axes.px(at[i]), ay = axes.py(at[i + 1]);
      draw_arrow(img, ax, ay, ax + scale * vec[i], ay - scale * vec[i + 1], axes.area);
    }
    draw_frame(img, axes);
    char norm[64];
    std::snprintf(norm, sizeof norm, "longest %.3g", longest);
    draw_centered_text(img, cx + left + panel_size / 2, 4, p.title);
    draw_centered_text(img, cx + left + panel_size / 2, glyph_h + 10, norm);
  }
  return img;
}

void save_quiver_panels(const std::string& path, const std::vector<QuiverPanel>& panels, double x0, double x1,
                        double y0, double y1, int grid, int panel_size) {
  write_png(path, render_quiver_panels(panels, x0, x1, y0, y1, grid, panel_size));
}

}  // namespace dgm::nn::io
