#include "nn/io/scatter.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/io/canvas.h"
#include "tensor/error.h"

namespace dgm::nn::io {

namespace {

constexpr int kBins = 50;

struct PanelData {
  std::vector<double> v;       // row-major (n, d)
  std::vector<int64_t> label;  // empty = the panel's color
};

}  // namespace

PixelImage render_scatter_panels(const ScatterPanels& panels, const std::vector<Tensor>& labels,
                                 const std::string& title, int panel_size) {
  DGM_CHECK(!panels.empty(), "save_scatter_panels: no panels given");
  DGM_CHECK(panel_size >= 32 && panel_size <= 4096, "save_scatter_panels: panel_size must be in [32, 4096], got ",
            panel_size);
  DGM_CHECK(labels.empty() || labels.size() == panels.size(), "save_scatter_panels: got ", labels.size(),
            " label tensors for ", panels.size(), " panels; pass one per panel (an undefined one for none)");
  int64_t dim = -1;
  std::vector<PanelData> data(panels.size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;  // x (and y) range over all panels
  double ylo = lo, yhi = hi;
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto& [name, x] = panels[k];
    DGM_CHECK(x.defined(), "save_scatter_panels: panel '", name, "' holds an undefined tensor");
    DGM_CHECK(x.dim() == 2 && (x.size(1) == 2 || x.size(1) == 1), "save_scatter_panels: panel '", name, "' has shape ",
              shape_str(x.shape()), "; expected points (n,2) or (n,1)");
    DGM_CHECK(dim < 0 || x.size(1) == dim, "save_scatter_panels: panel '", name, "' has shape ", shape_str(x.shape()),
              " but panel '", panels[0].first, "' has ", shape_str(panels[0].second.shape()),
              "; all panels must be 2-D points (n,2) or all 1-D (n,1)");
    dim = x.size(1);
    data[k].v = x.to_vector<double>();
    if (!labels.empty() && labels[k].defined()) {
      DGM_CHECK(labels[k].numel() == x.size(0) && !labels[k].is_floating_point(),
                "save_scatter_panels: labels of panel '", name, "' have shape ", shape_str(labels[k].shape()),
                " and dtype ", dtype_name(labels[k].dtype()), "; expected ", x.size(0), " integer class ids");
      data[k].label = labels[k].to_vector<int64_t>();
    }
    for (size_t i = 0; i + dim <= data[k].v.size(); i += dim) {
      const double a = data[k].v[i], b = dim == 2 ? data[k].v[i + 1] : 0.0;
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      lo = std::min(lo, a), hi = std::max(hi, a);
      if (dim == 2) ylo = std::min(ylo, b), yhi = std::max(yhi, b);
    }
  }
  auto [x0, x1] = padded_range(lo, hi);
  double y0 = 0, y1 = 1;
  // 1-D: histograms over [x0, x1); the y range is [0, 1.05 * the tallest bar].
  std::vector<std::vector<double>> density(panels.size(), std::vector<double>(kBins, 0.0));
  const double bin_w = (x1 - x0) / kBins;
  if (dim == 2) {
    std::tie(y0, y1) = padded_range(ylo, yhi);
  } else {
    double top = 0;
    for (size_t k = 0; k < panels.size(); ++k) {
      int64_t n = 0;
      for (double a : data[k].v) {
        if (!std::isfinite(a)) continue;
        const int b = std::clamp(static_cast<int>((a - x0) / bin_w), 0, kBins - 1);
        density[k][b] += 1, ++n;
      }
      for (double& d : density[k]) top = std::max(top, d /= std::max<int64_t>(n, 1) * bin_w);
    }
    y1 = top > 0 ? top * 1.05 : 1;
  }

  // Layout of one cell: [y labels | plot area P | right margin], rows: title, panel title, plot, x labels.
  const int glyph_h = text_height(kFontScale);
  const int left = tick_label_width(y0, y1) + 6, right = 24, cell_w = left + panel_size + right;
  const int title_h = title.empty() ? 0 : glyph_h + 14, panel_title_h = glyph_h + 12;
  const int width = cell_w * static_cast<int>(panels.size());
  const int height = title_h + panel_title_h + panel_size + tick_label_height() + 8;
  PixelImage img(width, height, 3, 255);
  if (!title.empty()) draw_centered_text(img, width / 2, 8, title);
  for (size_t k = 0; k < panels.size(); ++k) {
    const int cx = static_cast<int>(k) * cell_w;
    const int top = title_h + panel_title_h;
    const Axes axes{{cx + left, top, cx + left + panel_size - 1, top + panel_size - 1}, x0, x1, y0, y1};
    draw_ticks(img, axes, true);
    const Rgb color = tab10(static_cast<int64_t>(k));
    if (dim == 2) {
      const auto& v = data[k].v;
      for (size_t i = 0; i + 1 < v.size(); i += 2) {
        if (!std::isfinite(v[i]) || !std::isfinite(v[i + 1])) continue;
        const int px = static_cast<int>(std::lround(axes.px(v[i])));
        const int py = static_cast<int>(std::lround(axes.py(v[i + 1])));
        const Rgb c = data[k].label.empty() ? color : tab10(data[k].label[i / 2]);
        fill_rect(img, {px - 1, py - 1, px + 1, py + 1}, c, axes.area);
      }
    } else {
      for (int b = 0; b < kBins; ++b) {
        if (density[k][b] <= 0) continue;
        const int l = static_cast<int>(std::lround(axes.px(x0 + b * bin_w)));
        const int r = static_cast<int>(std::lround(axes.px(x0 + (b + 1) * bin_w))) - 1;
        const int t = static_cast<int>(std::lround(axes.py(density[k][b])));
        fill_rect(img, {l, t, std::max(l, r), axes.area.bottom}, color, axes.area);
      }
    }
    draw_frame(img, axes);
    draw_centered_text(img, cx + left + panel_size / 2, title_h + 4, panels[k].first);
  }
  return img;
}

void save_scatter_panels(const std::string& path, const ScatterPanels& panels, const std::string& title) {
  write_png(path, render_scatter_panels(panels, {}, title));
}

void save_scatter_panels(const std::string& path, const ScatterPanels& panels, const std::vector<Tensor>& labels,
                         const std::string& title) {
  write_png(path, render_scatter_panels(panels, labels, title));
}

}  // namespace dgm::nn::io
