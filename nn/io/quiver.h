// Vector fields as arrows on a grid (matplotlib's quiver), for score functions s(x) = grad log p(x) of 2-D data
// (seminar 8's "learned score vs true score", one panel per noise level of an NCSN).
//
//   nn::io::save_quiver_panels("score.png", {{"true score", true_score, data}, {"learned", model_score, data}},
//                              -2, 3, -1.5, 2);
//
// Each panel evaluates its field once on a grid x grid lattice of the range (one call with (grid^2, 2) points,
// row-major from the bottom-left) and draws an arrow from each lattice point along the field. Arrow lengths are
// scaled per panel so that the longest is 0.9 of the lattice spacing (directions and relative sizes are what a
// quiver plot shows; the longest arrow's norm is printed under the panel's title). Optional points (n, 2) are drawn
// in light gray below the arrows. Non-finite vectors are skipped.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "nn/io/png.h"
#include "tensor/tensor.h"

namespace dgm::nn::io {

using VectorFieldFn = std::function<Tensor(const Tensor&)>;  // (n, 2) -> (n, 2)

struct QuiverPanel {
  std::string title;
  VectorFieldFn field;
  Tensor points;  // (n, 2) drawn beneath the arrows; undefined: none
};

PixelImage render_quiver_panels(const std::vector<QuiverPanel>& panels, double x0, double x1, double y0, double y1,
                                int grid = 20, int panel_size = 320);

// render_quiver_panels written as PNG (atomically).
void save_quiver_panels(const std::string& path, const std::vector<QuiverPanel>& panels, double x0, double x1,
                        double y0, double y1, int grid = 20, int panel_size = 320);

}  // namespace dgm::nn::io
