#include "nn/io/canvas.h"

#include <algorithm>
#include <cmath>

#include "nn/io/plot.h"

namespace dgm::nn::io {

namespace {
const Rgb kTab10[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
}  // namespace

Rgb tab10(int64_t k) { return kTab10[((k % 10) + 10) % 10]; }

Rect image_rect(const PixelImage& img) { return {0, 0, img.width - 1, img.height - 1}; }

PixelImage side_by_side(const std::vector<PixelImage>& images) {
  int width = 0, height = 0;
  for (const auto& im : images) {
    width += im.width;
    height = std::max(height, im.height);
  }
  PixelImage out(width, height, 3, 255);
  int left = 0;
  for (const auto& im : images) {
    for (int y = 0; y < im.height; ++y)
      for (int x = 0; x < im.width; ++x)
        for (int c = 0; c < 3; ++c) out.at(left + x, y)[c] = im.at(x, y)[im.channels == 1 ? 0 : c];
    left += im.width;
  }
  return out;
}

void put_pixel(PixelImage& img, int x, int y, Rgb c, const Rect& clip) {
  if (!clip.contains(x, y) || x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  uint8_t* p = img.at(x, y);
  p[0] = c[0], p[1] = c[1], p[2] = c[2];
}

void fill_rect(PixelImage& img, const Rect& r, Rgb c, const Rect& clip) {
  for (int y = r.top; y <= r.bottom; ++y)
    for (int x = r.left; x <= r.right; ++x) put_pixel(img, x, y, c, clip);
}

void draw_line(PixelImage& img, int x0, int y0, int x1, int y1, Rgb c, const Rect& clip) {
  const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  for (int err = dx + dy;;) {
    put_pixel(img, x0, y0, c, clip);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

void draw_centered_text(PixelImage& img, int x, int y, const std::string& text, Rgb color) {
  draw_text(img, x - text_width(text, kFontScale) / 2, y, text, color, kFontScale);
}

int tick_label_width(double y0, double y1) {
  const std::vector<double> ticks = nice_ticks(y0, y1, 5);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  int w = 0;
  for (double t : ticks) w = std::max(w, text_width(tick_label(t, step), kFontScale));
  return w + 10;
}

int tick_label_height() { return text_height(kFontScale) + 10; }

void draw_ticks(PixelImage& img, const Axes& a, bool grid) {
  const Rect all = image_rect(img);
  const int glyph_h = text_height(kFontScale);
  const std::vector<double> xt = nice_ticks(a.x0, a.x1, 5), yt = nice_ticks(a.y0, a.y1, 5);
  const double xs = xt.size() > 1 ? xt[1] - xt[0] : 1, ys = yt.size() > 1 ? yt[1] - yt[0] : 1;
  for (double t : xt) {
    const int x = static_cast<int>(std::lround(a.px(t)));
    if (x < a.area.left || x > a.area.right) continue;
    if (grid) draw_line(img, x, a.area.top, x, a.area.bottom, kGridRgb, a.area);
    draw_line(img, x, a.area.bottom, x, a.area.bottom + 3, kBlackRgb, all);
    draw_centered_text(img, x, a.area.bottom + 6, tick_label(t, xs));
  }
  for (double t : yt) {
    const int y = static_cast<int>(std::lround(a.py(t)));
    if (y < a.area.top || y > a.area.bottom) continue;
    if (grid) draw_line(img, a.area.left, y, a.area.right, y, kGridRgb, a.area);
    draw_line(img, a.area.left - 3, y, a.area.left, y, kBlackRgb, all);
    const std::string label = tick_label(t, ys);
    draw_text(img, a.area.left - 6 - text_width(label, kFontScale), y - glyph_h / 2, label, kBlackRgb, kFontScale);
  }
}

void draw_frame(PixelImage& img, const Axes& a) {
  const Rect all = image_rect(img);
  const Rect& r = a.area;
  draw_line(img, r.left - 1, r.top - 1, r.right + 1, r.top - 1, kBlackRgb, all);
  draw_line(img, r.left - 1, r.bottom + 1, r.right + 1, r.bottom + 1, kBlackRgb, all);
  draw_line(img, r.left - 1, r.top - 1, r.left - 1, r.bottom + 1, kBlackRgb, all);
  draw_line(img, r.right + 1, r.top - 1, r.right + 1, r.bottom + 1, kBlackRgb, all);
}

std::pair<double, double> padded_range(double lo, double hi, double pad) {
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) return {0.0, 1.0};
  if (lo == hi) {
    const double w = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    return {lo - w, hi + w};
  }
  const double w = (hi - lo) * pad;
  return {lo - w, hi + w};
}

}  // namespace dgm::nn::io
