// 2-D toy data sets for the course's density models, generated in code from a
// Generator, so the same seed gives the same points on every machine and
// thread count. Each returns points (n,2) float32 and, where there is a class,
// labels (n) int64; `auto [x, y] = make_moons(1000, 0.1);` works.
//
// Geometry follows sklearn.datasets (make_moons, make_circles,
// make_swiss_roll) and the WGAN-GP / FFJORD toy sets (8 Gaussians, checkerboard)
// that the course uses. A null gen means the default generator.
#pragma once
#include <array>
#include <vector>

#include "tensor/random.h"

namespace dgm::nn::data {

struct ToySet {
  Tensor points;  // (n,2) float32
  Tensor labels;  // (n) int64 class ids; see each function for exceptions
};

// sklearn.datasets.make_moons: n/2 (rounded down) points on the upper half of
// the unit circle, x = cos t, y = sin t, t = linspace(0, pi, n/2), label 0; the
// other points on the lower moon x = 1 - cos t, y = 0.5 - sin t, label 1. Then,
// as sklearn, shuffled (when `shuffle`) and Gaussian noise of std `noise` added.
// The course uses noise 0.1 and an 80/20 train/test split of the points.
ToySet make_moons(int64_t n, double noise = 0, bool shuffle = true, Generator* gen = nullptr);

// sklearn.datasets.make_circles: n/2 points on the unit circle (label 0), the
// rest on a circle of radius `factor` (label 1), angles linspace(0, 2 pi)
// without the endpoint; shuffled, then noise.
ToySet make_circles(int64_t n, double noise = 0, double factor = 0.8, bool shuffle = true, Generator* gen = nullptr);

// The 8-Gaussians ring of WGAN-GP and the course's GAN seminar: center k (the
// label, 0..7) at scale * (cos(k pi/4), sin(k pi/4)), a point is
// (center + std * N(0, I)) / 1.414, so the centers lie at radius scale/1.414.
ToySet eight_gaussians(int64_t n, double scale = 2, double std = 0.02, Generator* gen = nullptr);

// sklearn.datasets.make_swiss_roll seen from above: t = 1.5 pi (1 + 2u), u
// uniform, point (t cos t, t sin t) + noise * N(0, I). `labels` holds t
// (float32), the position along the roll, as sklearn returns it. (FFJORD's
// "swissroll" is this with noise 1, divided by 5.)
ToySet swiss_roll_2d(int64_t n, double noise = 0, Generator* gen = nullptr);

// FFJORD's checkerboard: uniform on the 8 dark squares of a 4x4 board of side
// 2 covering [-4,4)^2. `labels` is undefined (no classes).
ToySet checkerboard(int64_t n, Generator* gen = nullptr);

// A mixture of axis-aligned Gaussians: component k (the label) drawn with
// probability probs[k] (normalized), then means[k] + stds[k] * N(0, I).
// E.g. the course's 2-D GMM: probs {0.1, 0.9}, means {{-5,-5},{5,5}}.
ToySet gaussian_mixture_2d(int64_t n, const std::vector<double>& probs, const std::vector<std::array<double, 2>>& means,
                           const std::vector<std::array<double, 2>>& stds, Generator* gen = nullptr);
// The same with one isotropic std per component.
ToySet gaussian_mixture_2d(int64_t n, const std::vector<double>& probs, const std::vector<std::array<double, 2>>& means,
                           const std::vector<double>& stds, Generator* gen = nullptr);

}  // namespace dgm::nn::data
