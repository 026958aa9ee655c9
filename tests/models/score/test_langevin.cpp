// Langevin dynamics (models/score/langevin.h) and seminar 8's analytic mixture score (models/score/gmm_score.h):
//   * on N(mu, s2) with its exact score -(x - mu)/s2 the chain is the linear recursion
//     x' = a x + (1 - a) mu + sqrt(eta) z, a = 1 - eta/(2 s2), whose stationary law is N(mu, eta / (1 - a^2)) =
//     N(mu, s2 / (1 - eta/(4 s2))) (derived by hand; 11 % above s2 at the eta used here, so the test sees O(eta));
//   * the autograd score of the mixture against central finite differences of its log-density written out here;
//   * the seminar's point: chains from U[-8,8]^2 stay in their starting half-plane (mode weight near 1/2, not 0.9).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dgm.h"
#include "models/score/gmm_score.h"
#include "models/score/langevin.h"
#include "models/score/langevin_gmm.h"

using namespace dgm;
using namespace dgm::models::score;

TEST_CASE("Langevin dynamics on a Gaussian reaches the discretized chain's exact stationary law", "[score][langevin]") {
  const double mu = 1.5, s2 = 0.5, eta = 0.2;
  const int64_t n = 20000;
  Generator gen(11);
  const Tensor x0 = zeros({n, 1}, kFloat64);
  int64_t calls = 0;
  // a = 0.8: after 60 steps the start is forgotten up to 0.8^60 ~ 1e-6
  const Tensor x = langevin_dynamics([&](const Tensor& y) { return (y - mu) * (-1.0 / s2); }, x0, 60, eta, &gen,
                                     [&](int64_t, const Tensor&) { ++calls; });
  CHECK(calls == 61);  // x0 and every step
  REQUIRE(x.shape() == Shape{n, 1});
  const double v = s2 / (1 - eta / (4 * s2));  // 0.5556
  const double mean = x.mean().item(), var = x.var().item();
  // 5 standard errors: sqrt(v / n) = 0.0053 for the mean, v sqrt(2 / n) = 0.0056 for the variance (5 of them,
  // 0.028, are below the O(eta) gap v - s2 = 0.056)
  CHECK(std::abs(mean - mu) < 5 * std::sqrt(v / n));
  CHECK(std::abs(var - v) < 5 * v * std::sqrt(2.0 / n));
  CHECK(std::abs(var - s2) > 0.03);  // the O(eta) bias is resolved: the chain is not N(mu, s2)
}

TEST_CASE("langevin_dynamics rejects a bad step size, step count or score shape", "[score][langevin]") {
  auto score = [](const Tensor& y) { return -y; };
  CHECK_THROWS_WITH(langevin_dynamics(score, zeros({4, 2}), 10, 0.0), Catch::Contains("eta > 0"));
  CHECK_THROWS_WITH(langevin_dynamics(score, zeros({4, 2}), -1, 0.1), Catch::Contains("num_steps >= 0"));
  CHECK_THROWS_WITH(langevin_dynamics([](const Tensor& y) { return y.sum({1}); }, zeros({4, 2}), 1, 0.1),
                    Catch::Contains("x's shape"));
  // zero steps return x0
  CHECK(langevin_dynamics(score, ones({3, 2}), 0, 0.1).to_vector<float>() == std::vector<float>(6, 1.f));
}

namespace {

// log p(x) of 0.1 N(-(5,5), I) + 0.9 N((5,5), I), written out in double
double log_p(double a, double b) {
  auto n = [](double a, double b, double m) {
    return std::exp(-((a - m) * (a - m) + (b - m) * (b - m)) / 2) / (2 * M_PI);
  };
  return std::log(0.1 * n(a, b, -5) + 0.9 * n(a, b, 5));
}

}  // namespace

TEST_CASE("the mixture's autograd score matches finite differences of its log-density", "[score][langevin]") {
  const IsotropicGaussianMixture gmm = IsotropicGaussianMixture::seminar8();
  const std::vector<double> pts{0, 0, 1, -0.5, 4, 6, -5, -4, 2.5, -3, -1, 1.2};
  const Tensor x = tensor(pts, {6, 2});
  const std::vector<double> lp = gmm.log_prob(x).to_vector<double>();
  const std::vector<double> s = gmm.score(x).to_vector<double>();
  const double h = 1e-5;
  for (int i = 0; i < 6; ++i) {
    const double a = pts[2 * i], b = pts[2 * i + 1];
    INFO("point " << a << ", " << b);
    CHECK(lp[i] == Approx(log_p(a, b)).epsilon(1e-12));
    CHECK(s[2 * i] == Approx((log_p(a + h, b) - log_p(a - h, b)) / (2 * h)).epsilon(1e-6).margin(1e-8));
    CHECK(s[2 * i + 1] == Approx((log_p(a, b + h) - log_p(a, b - h)) / (2 * h)).epsilon(1e-6).margin(1e-8));
  }
  // under no_grad too (the sampler's setting), and the input is left without a graph
  NoGradGuard no_grad;
  CHECK(gmm.score(x).to_vector<double>() == s);
  CHECK_THROWS_WITH(gmm.log_prob(zeros({3, 3})), Catch::Contains("(N,2)"));
}

TEST_CASE("Langevin chains on seminar 8's mixture keep their starting half-plane: the mode weights come out wrong",
          "[score][langevin]") {
  LangevinGMM model;
  Generator gen(5);
  const Tensor samples = model.sample(1000, &gen);
  REQUIRE(samples.shape() == Shape{1000, 2});
  // half the starts lie in x1 + x2 > 0 and a chain crossing 14 units against the score in 1000 steps of 0.01 is
  // vanishingly rare: the weight is 1/2 up to sampling, 5 standard errors of sqrt(0.25 / 1000) = 0.016, far from 0.9
  const double w = LangevinGMM::positive_mode_weight(samples);
  CHECK(std::abs(w - 0.5) < 5 * 0.016);
  // every chain sits at a mode: within 4.5 std (per coordinate) of (5,5) or -(5,5)
  const Tensor dist = (samples.abs() - 5.0).abs().max();
  CHECK(dist.item() < 4.5);
}
