#include "nn/io/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "nn/io/tiny_font.h"
#include "tensor/error.h"

namespace dgm::nn::io {

namespace {

constexpr int kScale = 2;  // font scale: glyphs are 6x10 pixels
const Rgb kBlack{0, 0, 0}, kGrid{228, 228, 228}, kLegendBorder{160, 160, 160}, kWhite{255, 255, 255};
// Matplotlib's tab10 palette.
const Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

struct Rect {
  int left, top, right, bottom;  // inclusive
  bool contains(int x, int y) const { return x >= left && x <= right && y >= top && y <= bottom; }
};

void put(PixelImage& img, int x, int y, Rgb c, const Rect& clip) {
  if (!clip.contains(x, y)) return;
  uint8_t* p = img.at(x, y);
  p[0] = c[0], p[1] = c[1], p[2] = c[2];
}

void fill(PixelImage& img, const Rect& r, Rgb c, const Rect& clip) {
  for (int y = r.top; y <= r.bottom; ++y)
    for (int x = r.left; x <= r.right; ++x) put(img, x, y, c, clip);
}

// Bresenham's line, two pixels thick (the pixel below each step too).
void line(PixelImage& img, int x0, int y0, int x1, int y1, Rgb c, const Rect& clip, bool thick) {
  const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  for (int err = dx + dy;;) {
    put(img, x0, y0, c, clip);
    if (thick) put(img, x0, y0 + 1, c, clip), put(img, x0 + 1, y0, c, clip);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

// [lo, hi] over the finite values; widened when empty or a single value.
std::pair<double, double> data_range(const CurveSet& series, bool use_y) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& [name, points] : series)
    for (const auto& [x, y] : points) {
      const double v = use_y ? y : x;
      if (std::isfinite(x) && std::isfinite(y)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  if (!(lo <= hi)) return {0.0, 1.0};
  if (lo == hi) {
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    return {lo - pad, hi + pad};
  }
  return {lo, hi};
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(target, 1);
  if (!(raw > 0) || !std::isfinite(raw)) return {lo};
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw))), r = raw / magnitude;
  const double step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * magnitude;
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) ticks.push_back(k * step);
  return ticks;
}

std::string tick_label(double value, double step) {
  if (std::fabs(value) < step * 1e-6) return "0";
  char buf[32];
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  if (decimals <= 4 && std::fabs(value) < 1e6) {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.2g", value);  // e.g. 1e-05, 2.5e+07
  std::string s = buf;
  const size_t e = s.find('e');
  if (e == std::string::npos) return s;
  return s.substr(0, e) + "e" + std::to_string(std::stoi(s.substr(e + 1)));  // 1e-05 -> 1e-5, 2.5e+07 -> 2.5e7
}

PixelImage render_curves(const CurveSet& series, const std::string& title, int width, int height) {
  DGM_CHECK(width >= 64 && height >= 64 && width <= 16384 && height <= 16384, "plot_curves: image size ", width, "x",
            height, " must be between 64 and 16384 pixels per side");
  PixelImage img(width, height, 3, 255);
  const Rect all{0, 0, width - 1, height - 1};
  double xlo, xhi, ylo, yhi;  // plain variables: the lambdas below capture them (clang 14 cannot capture bindings)
  std::tie(xlo, xhi) = data_range(series, false);
  std::tie(ylo, yhi) = data_range(series, true);
  const double ypad = (yhi - ylo) * 0.05;
  ylo -= ypad, yhi += ypad;
  const std::vector<double> xticks = nice_ticks(xlo, xhi), yticks = nice_ticks(ylo, yhi, 5);
  const double xstep = xticks.size() > 1 ? xticks[1] - xticks[0] : 1,
               ystep = yticks.size() > 1 ? yticks[1] - yticks[0] : 1;

  // Margins leave room for the title, the y labels on the left and the x labels below.
  int ylabel_width = 0;
  for (double t : yticks) ylabel_width = std::max(ylabel_width, text_width(tick_label(t, ystep), kScale));
  const int glyph_h = text_height(kScale);
  const Rect plot{ylabel_width + 14, title.empty() ? 12 : glyph_h + 16, width - 16, height - glyph_h - 18};
  DGM_CHECK(plot.right - plot.left > 16 && plot.bottom - plot.top > 16, "plot_curves: ", width, "x", height,
            " is too small for the axes and labels");
  auto px = [&](double x) { return plot.left + (x - xlo) / (xhi - xlo) * (plot.right - plot.left); };
  auto py = [&](double y) { return plot.bottom - (y - ylo) / (yhi - ylo) * (plot.bottom - plot.top); };

  // Grid lines, tick marks and labels.
  for (double t : xticks) {
    const int x = static_cast<int>(std::lround(px(t)));
    line(img, x, plot.top, x, plot.bottom, kGrid, plot, false);
    line(img, x, plot.bottom, x, plot.bottom + 4, kBlack, all, false);
    const std::string label = tick_label(t, xstep);
    draw_text(img, x - text_width(label, kScale) / 2, plot.bottom + 8, label, kBlack, kScale);
  }
  for (double t : yticks) {
    const int y = static_cast<int>(std::lround(py(t)));
    line(img, plot.left, y, plot.right, y, kGrid, plot, false);
    line(img, plot.left - 4, y, plot.left, y, kBlack, all, false);
    const std::string label = tick_label(t, ystep);
    draw_text(img, plot.left - 7 - text_width(label, kScale), y - glyph_h / 2, label, kBlack, kScale);
  }
  if (!title.empty()) draw_text(img, (width - text_width(title, kScale)) / 2, 6, title, kBlack, kScale);

  // The curves, clipped to the plot area.
  size_t color_index = 0;
  for (const auto& [name, points] : series) {
    const Rgb color = kPalette[color_index++ % std::size(kPalette)];
    bool have_previous = false;
    int x0 = 0, y0 = 0;
    for (const auto& [x, y] : points) {
      if (!std::isfinite(x) || !std::isfinite(y)) {
        have_previous = false;
        continue;
      }
      const int x1 = static_cast<int>(std::lround(px(x))), y1 = static_cast<int>(std::lround(py(y)));
      if (have_previous)
        line(img, x0, y0, x1, y1, color, plot, true);
      else
        fill(img, {x1 - 1, y1 - 1, x1 + 1, y1 + 1}, color, plot);  // a lone point stays visible
      x0 = x1, y0 = y1, have_previous = true;
    }
  }

  // The frame, drawn over the curves' ends.
  line(img, plot.left, plot.top, plot.right, plot.top, kBlack, all, false);
  line(img, plot.left, plot.bottom, plot.right, plot.bottom, kBlack, all, false);
  line(img, plot.left, plot.top, plot.left, plot.bottom, kBlack, all, false);
  line(img, plot.right, plot.top, plot.right, plot.bottom, kBlack, all, false);

  // Legend: a white box in the top-right corner, one row per series.
  if (!series.empty()) {
    const int swatch = 16, row_h = glyph_h + 6;
    int label_width = 0;
    for (const auto& [name, points] : series) label_width = std::max(label_width, text_width(name, kScale));
    const int box_w = 8 + swatch + 6 + label_width + 8, box_h = 6 + row_h * static_cast<int>(series.size());
    const Rect box{plot.right - 8 - box_w, plot.top + 8, plot.right - 8, plot.top + 8 + box_h};
    fill(img, box, kWhite, plot);
    line(img, box.left, box.top, box.right, box.top, kLegendBorder, plot, false);
    line(img, box.left, box.bottom, box.right, box.bottom, kLegendBorder, plot, false);
    line(img, box.left, box.top, box.left, box.bottom, kLegendBorder, plot, false);
    line(img, box.right, box.top, box.right, box.bottom, kLegendBorder, plot, false);
    int row = 0;
    for (const auto& [name, points] : series) {
      const Rgb color = kPalette[static_cast<size_t>(row) % std::size(kPalette)];
      const int top = box.top + 6 + row * row_h;
      fill(img, {box.left + 8, top + glyph_h / 2 - 2, box.left + 8 + swatch - 1, top + glyph_h / 2 + 1}, color, plot);
      draw_text(img, box.left + 8 + swatch + 6, top, name, kBlack, kScale);
      ++row;
    }
  }
  return img;
}

void plot_curves(const std::string& path, const CurveSet& series, const std::string& title, int width, int height) {
  write_png(path, render_curves(series, title, width, height));
}

}  // namespace dgm::nn::io
