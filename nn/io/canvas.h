// Drawing helpers shared by the pictures in nn/io (scatter panels, density
// maps, trajectories): clipped pixels, rectangles and lines on an RGB
// PixelImage, and an Axes box that maps data coordinates to pixels and draws
// its frame, light grid lines and tick labels (nice_ticks / tick_label of
// plot.h, in the 3x5 font of tiny_font.h at scale 2).
//
//   pixel x = left + (x - x0) / (x1 - x0) * (right - left)
//   pixel y = bottom - (y - y0) / (y1 - y0) * (bottom - top)     (y grows upwards)
#pragma once
#include <string>
#include <vector>

#include "nn/io/png.h"
#include "nn/io/tiny_font.h"

namespace dgm::nn::io {

constexpr int kFontScale = 2;  // glyphs are 6x10 pixels
inline constexpr Rgb kWhiteRgb{255, 255, 255}, kBlackRgb{0, 0, 0}, kGridRgb{228, 228, 228};
// Matplotlib's tab10 palette; color k is kTab10[k % 10].
Rgb tab10(int64_t k);

struct Rect {
  int left, top, right, bottom;  // inclusive
  bool contains(int x, int y) const { return x >= left && x <= right && y >= top && y <= bottom; }
};

void put_pixel(PixelImage& img, int x, int y, Rgb c, const Rect& clip);
void fill_rect(PixelImage& img, const Rect& r, Rgb c, const Rect& clip);
void draw_line(PixelImage& img, int x0, int y0, int x1, int y1, Rgb c, const Rect& clip);
// The whole image as a clip rectangle.
Rect image_rect(const PixelImage& img);
// Images left to right, top-aligned, on white; gray images become RGB.
PixelImage side_by_side(const std::vector<PixelImage>& images);

struct Axes {
  Rect area;              // the plot area in pixels
  double x0, x1, y0, y1;  // the data range it shows
  double px(double x) const { return area.left + (x - x0) / (x1 - x0) * (area.right - area.left); }
  double py(double y) const { return area.bottom - (y - y0) / (y1 - y0) * (area.bottom - area.top); }
};

// Grid lines (when `grid`) inside the area, tick marks and labels outside it.
void draw_ticks(PixelImage& img, const Axes& axes, bool grid);
// The black frame around the area.
void draw_frame(PixelImage& img, const Axes& axes);
// Text centred horizontally on x, its top at y.
void draw_centered_text(PixelImage& img, int x, int y, const std::string& text, Rgb color = kBlackRgb);
// Room the tick labels need: left of the area (y labels) and below it (x labels), in pixels.
int tick_label_width(double y0, double y1);
int tick_label_height();

// [lo, hi] padded by `pad` of its width on both sides; a single value or an empty range is widened.
std::pair<double, double> padded_range(double lo, double hi, double pad = 0.05);

}  // namespace dgm::nn::io
