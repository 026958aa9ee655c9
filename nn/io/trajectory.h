// Frames along sampling time in one picture: a DDPM / Langevin / flow
// trajectory x_T, ..., x_0 (the course's hw5 "trajectories", seminar 3's
// layer-by-layer transport).
//
//   nn::io::save_trajectory("traj.png", {x_1000, x_750, x_500, x_250, x_0},
//                           {"t=1000", "t=750", "t=500", "t=250", "t=0"});
//
// What is drawn depends on the frames' shape (every frame must have the same one):
//   * images (n,C,H,W), C = 1 or 3: a grid with one row per sample and one
//     column per frame (make_grid of image_grid.h with nrow = frames.size(),
//     padding 2, white padding), the captions centred above the columns.
//     Pixel values: [lo, hi] -> [0, 255], clamped, where (lo, hi) is value_range
//     if given, else the last frame's [min, max] (the finished samples at full
//     contrast; noisier earlier frames saturate).
//   * points (n,2) (or (n,1)): one scatter panel per frame with shared axes
//     (render_scatter_panels of scatter.h), titled by the captions ("frame k"
//     when none are given).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nn/io/png.h"
#include "tensor/tensor.h"

namespace dgm::nn::io {

// The picture as an RGB image.
PixelImage render_trajectory(const std::vector<Tensor>& frames, const std::vector<std::string>& captions = {},
                             std::optional<std::pair<double, double>> value_range = std::nullopt);

// render_trajectory written as PNG (atomically).
void save_trajectory(const std::string& path, const std::vector<Tensor>& frames,
                     const std::vector<std::string>& captions = {},
                     std::optional<std::pair<double, double>> value_range = std::nullopt);

}  // namespace dgm::nn::io
