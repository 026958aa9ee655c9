// Side-by-side scatter panels of 2-D points, e.g. the data next to a model's
// samples, as the course's visualize_2d_samples draws them:
//
//   nn::io::save_scatter_panels("moons.png", {{"data", x}, {"samples", model.sample(1000)}}, "epoch 10");
//
// What is drawn: one square panel per entry, left to right, each with its title
// above it, tick labels (plot.h's nice_ticks) and light grid lines. All panels
// share one axis range, the (finite) points' [min, max] over every panel
// padded by 5 % on each side, so the data and the samples are drawn to the same
// scale. A point (x, y) is a 3x3 dot centred on the pixel
//   (left + (x - x0) / (x1 - x0) * (P - 1),  bottom - (y - y0) / (y1 - y0) * (P - 1)),
// P the panel's plot size, in tab10 color k for panel k (blue, orange, green,
// ...), or with labels in tab10 color label (class 0 blue, class 1 orange, ...).
// Points with a NaN or infinite coordinate are left out.
//
// 1-D points (n,1) are drawn as histograms instead: 50 equal bins over the
// shared padded range, bar height = count / (n * bin width) (a density, so
// panels of different n compare), y from 0 to the largest bar over all panels.
//
// Layout: the image is panels.size() equal columns; panel k spans pixel columns
// [k * W / panels.size(), (k + 1) * W / panels.size()). Every panel has the same
// shape, (n,2) or (n,1), any real or integer dtype; n may be 0.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "nn/io/png.h"
#include "tensor/tensor.h"

namespace dgm::nn::io {

using ScatterPanels = std::vector<std::pair<std::string, Tensor>>;  // (panel title, points (n,2) or (n,1))

// The picture as an RGB image; `labels` is empty or one tensor per panel
// (undefined = the panel's color, else n integer class ids). panel_size is the
// plot area's side in pixels.
PixelImage render_scatter_panels(const ScatterPanels& panels, const std::vector<Tensor>& labels = {},
                                 const std::string& title = "", int panel_size = 300);

// render_scatter_panels written as PNG (atomically).
void save_scatter_panels(const std::string& path, const ScatterPanels& panels, const std::string& title = "");
// With per-point class labels for the colors (one tensor per panel, see above).
void save_scatter_panels(const std::string& path, const ScatterPanels& panels, const std::vector<Tensor>& labels,
                         const std::string& title = "");

}  // namespace dgm::nn::io
