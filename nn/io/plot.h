// Loss curves as PNG with no external tools: a small rasterizer that draws
// axes, "nice" ticks labelled in a 3x5 pixel font (nn/io/tiny_font.h), light
// grid lines, one polyline per series in a distinct color, and a legend
// (color swatch + series name) in the top-right corner.
//
//   nn::io::plot_curves("loss.png", {{"train", {{1, 2.3}, {2, 1.1}}}, {"test", {{1, 2.5}, {2, 1.4}}}}, "loss");
//
// Points are (x, y) pairs, drawn in the order given; a non-finite y breaks the line.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/io/png.h"

namespace dgm::nn::io {

using Curve = std::vector<std::pair<double, double>>;
using CurveSet = std::map<std::string, Curve>;  // series name -> points; colors follow the key order

// The plot as an RGB image (for tests or further drawing).
PixelImage render_curves(const CurveSet& series, const std::string& title = "", int width = 640, int height = 400);

// render_curves, written as PNG atomically.
void plot_curves(const std::string& path, const CurveSet& series, const std::string& title = "", int width = 640,
                 int height = 400);

// Tick positions for [lo, hi]: multiples of a step 1, 2 or 5 times a power of ten, about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);
// A short label for a tick value, e.g. "0.25", "1500", "1e-4".
std::string tick_label(double value, double step);

}  // namespace dgm::nn::io
