// A 2-D density as a heat map, as the course draws a flow's or a GMM's
// density (seminar 3's "density heat map", seminar 4's density plots):
//
//   nn::io::save_density_map("density.png", [&](const Tensor& z) { return flow.log_prob(z); }, -2, 3, -1.5, 2,
//                        200, data.test.x);
//
// What is drawn: the box [x0, x1] x [y0, y1] cut into resolution x resolution
// cells; cell (row i, column j) is evaluated at its centre
//   x = x0 + (j + 1/2) (x1 - x0) / R,   y = y1 - (i + 1/2) (y1 - y0) / R   (row 0 on top),
// log_density is called on batches of these points, (b,2) float32 on the CPU,
// b <= 4096, and must return b values ((b) or (b,1), any real dtype). Each cell
// is coloured by p / max p = exp(log p - max log p) through a viridis-like
// colormap (dark purple = 0, blue, green, yellow = the maximum; 5 anchors of
// matplotlib's viridis, linearly interpolated), one pixel per cell, with tick
// labels around it. Optional `points` (n,2) are overlaid as white 2x2 dots
// (those outside the box are left out).
//
// Non-finite values do not throw: log p = -inf is density 0 (the colormap's
// bottom colour); NaN and +inf are drawn in magenta (255, 0, 255), a colour the
// colormap never produces, so they stand out. If no cell is finite the whole
// map is magenta.
#pragma once
#include <functional>
#include <string>

#include "nn/io/png.h"
#include "nn/io/tiny_font.h"
#include "tensor/tensor.h"

namespace dgm::nn::io {

using LogDensityFn = std::function<Tensor(const Tensor&)>;

// log_density on the grid described above: (resolution, resolution) float64, row 0 at y1.
Tensor evaluate_log_density_grid(const LogDensityFn& log_density, double x0, double x1, double y0, double y1,
                                 int resolution = 200);

// The colormap at t in [0, 1] (clamped); t = NaN gives magenta.
Rgb viridis(double t);

// The picture as an RGB image.
PixelImage render_density_map(const LogDensityFn& log_density, double x0, double x1, double y0, double y1,
                              int resolution = 200, const Tensor& points = Tensor(), const std::string& title = "");

// render_density_map written as PNG (atomically).
void save_density_map(const std::string& path, const std::function<Tensor(const Tensor&)>& log_density, double x0,
                      double x1, double y0, double y1, int resolution = 200, const Tensor& points = Tensor());

}  // namespace dgm::nn::io
