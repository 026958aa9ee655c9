// Homework 4, denoising score matching on 2-D moons (task 2: hw4.1, hw4.2): the notebook's test (a Linear(2,2)
// score, sigma 0.1: the loss is a finite positive scalar; Langevin returns the input's shape) and checks that can
// fail:
//   * forward against the formula (s(x + sigma eps) + eps/sigma)^2, with eps replayed from the same generator;
//   * total_loss = forward(x).mean(dim 0).sum();
//   * the closed form for the score s(y) = -y: per element E (-(x + sigma eps) + eps/sigma)^2 = x^2 +
//     (1/sigma - sigma)^2 (derived by hand), within 5 standard errors of the sample mean;
//   * Langevin with the exact score of N(mu, s2 I) (a Linear set by hand) reaches the discretized chain's exact
//     stationary law N(mu, s2 / (1 - eta/(4 s2))) (the linear recursion x' = a x + (1 - a) mu + sqrt(eta) z with
//     a = 1 - eta/(2 s2) has variance eta / (1 - a^2)), within 5 standard errors.
#include <cmath>
#include <memory>
#include <vector>

#include "../helpers.h"
#include "models/score/denoising_score_matcher.h"
#include "nn/modules/linear.h"

using namespace dgm;
namespace score = dgm::models::score;

namespace {

// A Linear(2,2) with weight w (row-major) and bias b.
std::shared_ptr<nn::Linear> linear(const std::vector<float>& w, const std::vector<float>& b) {
  auto l = std::make_shared<nn::Linear>(2, 2);
  NoGradGuard no_grad;
  l->weight.copy_(tensor(w, {2, 2}));
  l->bias.copy_(tensor(b, {2}));
  return l;
}

}  // namespace

TEST_CASE("hw4.1: the notebook's test: a Linear(2,2) score with sigma 0.1 gives a finite positive loss",
          "[hw4][hw4.1]") {
  manual_seed(0);
  score::DenoisingScoreMatcher model(std::make_shared<nn::Linear>(2, 2), Shape{2}, 0.1);
  const Tensor x = randn({16, 2});
  const Tensor per_element = model.forward(x);
  CHECK(per_element.shape() == Shape{16, 2});
  const models::Losses losses = model.loss(x);
  REQUIRE(losses.count("total_loss") == 1);
  const Tensor loss = losses.at("total_loss");
  CHECK(loss.dim() == 0);
  CHECK(std::isfinite(loss.item()));
  CHECK(loss.item() > 0);
  loss.backward();
  for (const Tensor& p : model.parameters()) CHECK(p.grad().defined());
}

TEST_CASE("hw4.1: forward is (s(x + sigma eps) + eps / sigma)^2 per element, total_loss its batch mean summed",
          "[hw4][hw4.1]") {
  const double sigma = 0.3;
  score::DenoisingScoreMatcher model(linear({0.5f, -1.f, 2.f, 0.3f}, {0.1f, -0.2f}), Shape{2}, sigma);
  const Tensor x = tensor(std::vector<float>{0.4f, -1.f, 1.5f, 0.2f, -0.3f, 0.8f}, {3, 2});
  Generator g1(9), g2(9);
  const std::vector<float> out = model.forward(x, &g1).to_vector<float>();
  const std::vector<float> eps = randn_like(x, &g2).to_vector<float>(), xv = x.to_vector<float>();
  REQUIRE(out.size() == 6u);
  const double w[2][2] = {{0.5, -1}, {2, 0.3}}, b[2] = {0.1, -0.2};
  for (int i = 0; i < 3; ++i) {
    const double y0 = xv[2 * i] + sigma * eps[2 * i], y1 = xv[2 * i + 1] + sigma * eps[2 * i + 1];
    for (int d = 0; d < 2; ++d) {
      const double s = w[d][0] * y0 + w[d][1] * y1 + b[d];
      CHECK(out[2 * i + d] == Approx(std::pow(s + eps[2 * i + d] / sigma, 2)).epsilon(1e-4));
    }
  }
  // loss() draws from the default generator: replay it
  manual_seed(4);
  const double loss = model.loss(x).at("total_loss").item();
  manual_seed(4);
  const std::vector<float> f = model.forward(x).to_vector<float>();
  const double expected = (f[0] + f[2] + f[4]) / 3 + (f[1] + f[3] + f[5]) / 3;
  CHECK(loss == Approx(expected).epsilon(1e-5));
}

TEST_CASE("hw4.1: with the score s(y) = -y the loss has the closed form sum_d mean x_d^2 + D (1/sigma - sigma)^2",
          "[hw4][hw4.1]") {
  const double sigma = 0.5;
  score::DenoisingScoreMatcher model(linear({-1.f, 0.f, 0.f, -1.f}, {0.f, 0.f}), Shape{2}, sigma);
  const int64_t n = 20000;
  const Tensor x = tensor(std::vector<float>{1.f, -2.f}, {1, 2}).expand({n, 2}).contiguous();
  manual_seed(12);
  const double loss = model.loss(x).at("total_loss").item();
  const double c2 = std::pow(1 / sigma - sigma, 2);  // 2.25
  const double expected = 1 + 4 + 2 * c2;            // 9.5
  // per example the summed error (-x_d + c eps_d)^2 has variance sum_d (4 x_d^2 c^2 + 2 c^4) = 65.25: se 0.057
  const double se = std::sqrt((4 * 1 * c2 + 2 * c2 * c2 + 4 * 4 * c2 + 2 * c2 * c2) / n);
  CHECK(std::abs(loss - expected) < 5 * se);
}

TEST_CASE("hw4.2: the notebook's test: Langevin dynamics and sample return the right shapes", "[hw4][hw4.2]") {
  manual_seed(0);
  score::DenoisingScoreMatcher model(std::make_shared<nn::Linear>(2, 2), Shape{2}, 0.1);
  const Tensor x = randn({8, 2});
  const Tensor y = model.langevin_dynamics(x, 10, 0.01);
  CHECK(y.shape() == Shape{8, 2});
  CHECK_FALSE(y.requires_grad());
  const Tensor samples = model.sample(64, 100, 0.01);
  CHECK(samples.shape() == Shape{64, 2});
  CHECK(std::isfinite(samples.abs().max().item()));
}

TEST_CASE("hw4.2: Langevin on the exact score of a Gaussian reaches the chain's stationary mean and variance",
          "[hw4][hw4.2]") {
  const double s2 = 0.5, eta = 0.2, mu0 = 1.0, mu1 = -0.5;
  // s(y) = -(y - mu) / s2 = -y / s2 + mu / s2
  score::DenoisingScoreMatcher model(linear({static_cast<float>(-1 / s2), 0.f, 0.f, static_cast<float>(-1 / s2)},
                                            {static_cast<float>(mu0 / s2), static_cast<float>(mu1 / s2)}),
                                     Shape{2}, 0.1);
  const int64_t n = 20000;
  Generator gen(3);
  // a = 1 - eta / (2 s2) = 0.8: 60 steps forget the U[-1, 1] start up to 0.8^60 ~ 1e-6
  const Tensor x = model.sample(n, 60, eta, &gen);
  const double v = s2 / (1 - eta / (4 * s2));  // 0.5556, 11 % above s2
  const Tensor mean = x.mean({0}), var = x.var({0});
  const std::vector<double> mu{mu0, mu1};
  for (int d = 0; d < 2; ++d) {
    INFO("dimension " << d);
    // standard errors: sqrt(v / n) = 0.0053 (mean), v sqrt(2 / n) = 0.0056 (variance); 5 of them are below the
    // gap v - s2 = 0.056, so a chain with the wrong step (e.g. eta s instead of eta/2 s) fails
    CHECK(std::abs(mean.to_vector<float>()[d] - mu[d]) < 5 * std::sqrt(v / n));
    CHECK(std::abs(var.to_vector<float>()[d] - v) < 5 * v * std::sqrt(2.0 / n));
  }
}
