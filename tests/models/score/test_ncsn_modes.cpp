// Seminar 8's point, with the exact score: on the mixture 0.1 N(-(5,5), I) + 0.9 N((5,5), I) smoothed at level
// sigma (the same mixture with variance 1 + sigma^2: smoothing keeps the weights), annealed Langevin (ncsn-2d's
// sampler: 10 geometric sigmas 8 -> 0.1, eps 0.01, 100 steps per level, from U[-8, 8]^2) puts the weight 0.9 on
// the mode +(5,5), while plain Langevin on the unsmoothed score (step 0.01, 1000 steps, the seminar's) keeps the
// split of its start: a point rarely crosses between modes 14 apart, so about half the points stay on each side.
// Tolerances: 5 standard errors sqrt(p (1 - p) / n) of a share p over n points; the plain chain's share is the
// start's, 1/2 by symmetry of U[-8, 8]^2 about the line x_1 + x_2 = 0 (the basins' border sits at x_1 + x_2 =
// -log(9) / 10 = -0.22, which moves about 0.014 of the start to the plus side: well inside the tolerance 0.056).
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/score/annealed_langevin.h"
#include "models/score/ncsn.h"

using namespace dgm;
using namespace dgm::models::score;

namespace {

// grad log sum_k pi_k N(x; mu_k, v I) = -sum_k r_k(x) (x - mu_k) / v, r the components' responsibilities.
Tensor mixture_score(const Tensor& x, double v) {
  const Tensor mu = tensor(std::vector<float>{5, 5}, {1, 2});
  const Tensor d_plus = x - mu, d_minus = x + mu;
  // log(0.9 / 0.1) + (|d_-|^2 - |d_+|^2) / (2 v) = logit of r_+
  const Tensor logit = (d_minus.square().sum({1}, true) - d_plus.square().sum({1}, true)) / (2 * v) + std::log(9.0);
  const Tensor r_plus = logit.sigmoid();
  return -(r_plus * d_plus + (1.0 - r_plus) * d_minus) / v;
}

double plus_share(const Tensor& x) { return (x.select(1, 0) + x.select(1, 1)).gt(0.0).to(kFloat64).mean().item(); }

}  // namespace

TEST_CASE("annealed Langevin with the exact score recovers the mode weight 0.9; plain Langevin does not",
          "[score][ncsn][langevin]") {
  const std::vector<double> sigmas = geometric_sigmas(8, 0.1, 10);
  const int64_t n = 2000;
  Generator gen(8);
  const LevelScoreFn annealed_score = [&](const Tensor& x, const Tensor& level) {
    const double s = sigmas[level.to_vector<int64_t>()[0]];
    return mixture_score(x, 1 + s * s);
  };
  const Tensor annealed =
      annealed_langevin_dynamics(annealed_score, uniform(-8, 8, {n, 2}, {}, &gen), sigmas, 100, 0.01, &gen);
  CHECK(std::fabs(plus_share(annealed) - 0.9) < 5 * std::sqrt(0.9 * 0.1 / n));
  const LevelScoreFn plain_score = [](const Tensor& x, const Tensor&) { return mixture_score(x, 1); };
  const Tensor plain =
      annealed_langevin_dynamics(plain_score, uniform(-8, 8, {n, 2}, {}, &gen), {1.0}, 1000, 0.01, &gen);
  CHECK(std::fabs(plus_share(plain) - 0.5) < 5 * std::sqrt(0.25 / n));
}
