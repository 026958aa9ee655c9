// Annealed Langevin dynamics (hw4.4) with the exact score of a Gaussian target N(mu, s^2 I) smoothed at each level,
// N(mu, (s^2 + sigma_i^2) I): score -(x - mu) / v_i. One step is linear, x' = a x + (1 - a) mu + sqrt(eta) z with
// a = 1 - eta / (2 v_i), so from U[-1, 1] (mean 0, variance 1/3) the mean and variance after every level follow
//   m' = a m + (1 - a) mu,   V' = a^2 V + eta,   eta_i = eps sigma_i^2 / sigma_T^2,
// computed here in double. The sample's mean and variance must match them within 5 standard errors (sqrt(V / n)
// for the mean, V sqrt(2 / n) for the variance of n Gaussian draws). Against the target itself the chain's
// stationary variance is v / (1 - eta / (4 v)) (the O(eta) discretization bias), checked too.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/score/annealed_langevin.h"

using namespace dgm;
using namespace dgm::models::score;

TEST_CASE("annealed Langevin on a smoothed Gaussian reaches the exact mean and variance of the chain",
          "[score][ncsn][langevin]") {
  // every level's contraction a = 1 - eta_i / (2 v_i) lies in (0, 1): 0.62, 0.73, 0.92
  const std::vector<double> sigmas{2, 0.7, 0.25};
  const double s2 = 0.25, eps = 0.05;
  const std::vector<double> mu{1, -2};
  const int64_t n = 10000, steps = 100;
  const Tensor mu_t = tensor(std::vector<float>{1, -2}, {1, 2});
  std::vector<int64_t> seen;
  const LevelScoreFn score = [&](const Tensor& x, const Tensor& level) {
    const int64_t i = level.to_vector<int64_t>()[0];
    return (x - mu_t) * (-1 / (s2 + sigmas[i] * sigmas[i]));
  };
  std::vector<Tensor> after_level;
  Generator gen(21);
  const Tensor x0 = uniform(-1, 1, {n, 2}, {}, &gen);
  const Tensor x = annealed_langevin_dynamics(score, x0, sigmas, steps, eps, &gen, [&](int64_t i, const Tensor& xi) {
    seen.push_back(i);
    after_level.push_back(xi);
  });
  CHECK(seen == std::vector<int64_t>{0, 1, 2});
  // the exact recursion, per coordinate (both start at mean 0, variance 1/3)
  double V = 1.0 / 3;
  std::vector<double> m{0, 0};
  const double sT2 = sigmas.back() * sigmas.back();
  for (size_t i = 0; i < sigmas.size(); ++i) {
    const double v = s2 + sigmas[i] * sigmas[i], eta = eps * sigmas[i] * sigmas[i] / sT2, a = 1 - eta / (2 * v);
    for (int64_t k = 0; k < steps; ++k) {
      V = a * a * V + eta;
      for (double& mj : m) mj = a * mj;
    }
    for (size_t j = 0; j < 2; ++j) m[j] += (1 - std::pow(a, steps)) * mu[j];
    // after level i: the sample against the recursion
    const Tensor xi = after_level[i].to(kFloat64);
    for (int64_t j = 0; j < 2; ++j) {
      INFO("level " << i << ", coordinate " << j);
      const Tensor c = xi.select(1, j);
      CHECK(std::fabs(c.mean().item() - m[j]) < 5 * std::sqrt(V / n));
      CHECK(std::fabs(c.var().item() - V) < 5 * V * std::sqrt(2.0 / n));
    }
  }
  // the target N(mu, s^2 + sigma_T^2) up to the O(eta) bias: stationary variance v / (1 - eps / (4 v))
  const double vT = s2 + sT2, stationary = vT / (1 - eps / (4 * vT));
  CHECK(std::fabs(V - stationary) < 1e-6 * vT);  // 100 steps at a = 0.92: the start is forgotten (a^200 ~ 6e-8)
  const Tensor x64 = x.to(kFloat64);
  for (int64_t j = 0; j < 2; ++j) {
    CHECK(std::fabs(x64.select(1, j).mean().item() - mu[j]) < 5 * std::sqrt(vT / n));
    CHECK(std::fabs(x64.select(1, j).var().item() - stationary) < 5 * stationary * std::sqrt(2.0 / n));
  }
}

TEST_CASE("annealed Langevin: the step of level i is eps sigma_i^2 / sigma_T^2 (zero score: pure noise)",
          "[score][ncsn][langevin]") {
  // with s = 0 the chain only adds noise: Var(x_final) = sum_i steps * eps sigma_i^2 / sigma_T^2
  const std::vector<double> sigmas{1, 0.5};
  const double eps = 0.001;
  const int64_t n = 20000, steps = 10;
  const LevelScoreFn zero = [](const Tensor& x, const Tensor&) { return zeros_like(x); };
  Generator gen(3);
  const Tensor x = annealed_langevin_dynamics(zero, zeros({n, 1}), sigmas, steps, eps, &gen);
  const double expected = steps * eps * (4 + 1);  // (1 / 0.5)^2 = 4 and 1
  CHECK(std::fabs(x.to(kFloat64).var().item() - expected) < 5 * expected * std::sqrt(2.0 / n));
  CHECK_THROWS_WITH(annealed_langevin_dynamics(zero, zeros({2, 1}), {0.5, 1}, steps, eps),
                    Catch::Contains("strictly descending"));
  CHECK_THROWS_WITH(annealed_langevin_dynamics(zero, zeros({2, 1}), sigmas, 0, eps), Catch::Contains("num_steps"));
}
