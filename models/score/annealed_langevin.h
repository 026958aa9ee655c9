// Annealed Langevin dynamics (Song and Ermon 2019, Algorithm 1; lecture 8, homework 4 task 3): for each noise level
// i = 0..L-1 of the descending sigmas, num_steps Langevin steps on the score at that level,
//
//   eta_i = eps * sigma_i^2 / sigma_T^2        (sigma_T = sigmas.back(), the smallest level: NCSN's alpha_i)
//   x <- x + eta_i / 2 * s(x, i) + sqrt(eta_i) * z,   z ~ N(0, I)
//
// The last level's step is eps itself; every level's step is scaled so that its signal-to-noise ratio is the same
// (the step grows with sigma_i^2, as the smoothed density widens). Runs without a graph (NoGradGuard): the score
// is a network's output or a closed form. score(x, level) receives level (n) int64 filled with i; on_level(i, x)
// is called after the last step of level i (a trajectory over the sigmas). Random draws come from gen.
#pragma once
#include <functional>
#include <vector>

#include "tensor/random.h"

namespace dgm::models::score {

using LevelScoreFn = std::function<Tensor(const Tensor& x, const Tensor& level)>;
using LevelCallback = std::function<void(int64_t level, const Tensor& x)>;

// x (n, ...) the starting points; sigmas descending and positive; num_steps > 0; eps > 0.
Tensor annealed_langevin_dynamics(const LevelScoreFn& score, const Tensor& x, const std::vector<double>& sigmas,
                                  int64_t num_steps, double eps, Generator* gen = nullptr,
                                  const LevelCallback& on_level = {});

}  // namespace dgm::models::score
