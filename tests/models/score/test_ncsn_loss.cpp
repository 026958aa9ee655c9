// The NCSN's weighted denoising score matching loss (hw4.3) against hand derivations:
//   * the exact score of q(x_t | x) for data x = 0, s(x_t, t) = -x_t / sigma_t^2, gives a loss of exactly 0 (only
//     when the level index handed to the network is the level whose sigma made x_t);
//   * a constant score c per element: l = sigma_t^2 / sigma_T^2 (c + eps / sigma_t)^2 = (sigma_t c + eps)^2 /
//     sigma_T^2, so E l = (c^2 mean_t(sigma_t^2) + 1) / sigma_T^2 with t uniform and sigma_T the smallest sigma;
//     c = 0 gives normalized_loss 1.
// The statistical tolerance is derived in the test from the variance of one example's mean over its D elements.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/score/ncsn.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::score;

namespace {

// s(x, t) = -x / sigma_t^2 (scaled by k), or the constant c when exact is false.
class HandScore : public ConditionedModule {
 public:
  HandScore(std::vector<double> sigmas, bool exact, double c) : sigmas_(std::move(sigmas)), exact_(exact), c_(c) {
    w = register_parameter("w", ones({1}));
  }
  using ConditionedModule::forward;
  Tensor forward(const Tensor& x, const Tensor& y) override {
    calls++;
    last_levels = y;
    if (!exact_) return w * c_ + zeros_like(x);
    std::vector<float> inv;
    for (int64_t level : y.to_vector<int64_t>()) inv.push_back(static_cast<float>(-1 / std::pow(sigmas_[level], 2)));
    Shape s(static_cast<size_t>(x.dim()), 1);
    s[0] = x.size(0);
    return w * x * tensor(inv).view(s);
  }
  Tensor w;
  Tensor last_levels;
  int calls = 0;

 private:
  std::vector<double> sigmas_;
  bool exact_;
  double c_;
};

}  // namespace

TEST_CASE("NCSN loss: the exact score of q(x_t | x) at the right level gives zero", "[score][ncsn]") {
  const std::vector<double> sigmas{3, 1, 0.2};
  auto score = std::make_shared<HandScore>(sigmas, true, 0);
  NoiseConditionedScoreNetwork m(score, {1, 2, 3}, sigmas);
  Generator gen(5);
  const Tensor l = m.forward(zeros({64, 1, 2, 3}), &gen);
  REQUIRE(l.shape() == Shape{64, 1, 2, 3});
  CHECK(l.abs().max().item() < 1e-6);
  // every level was drawn (64 draws of 3 levels)
  const std::vector<int64_t> levels = score->last_levels.to_vector<int64_t>();
  for (int64_t k = 0; k < 3; ++k) CHECK(std::count(levels.begin(), levels.end(), k) > 0);
}

TEST_CASE("NCSN loss: a constant score gives (c^2 mean sigma_t^2 + 1) / sigma_T^2 per element", "[score][ncsn]") {
  const std::vector<double> sigmas{1, 0.1};  // sigma_T = 0.1, the smallest
  const double sT2 = 0.01;
  const int64_t n = 20000, D = 4;
  for (double c : {0.0, 1.0}) {
    INFO("c = " << c);
    NoiseConditionedScoreNetwork m(std::make_shared<HandScore>(sigmas, false, c), {D}, sigmas);
    manual_seed(11);
    const Losses losses = m.loss(Batch(randn({n, D})));
    const double mean_s2 = (1 + 0.01) / 2;
    const double expected = (c * c * mean_s2 + 1) / sT2;  // per element
    // one example's mean over its D elements, Y = (1/D) sum_j (sigma c + eps_j)^2 / sigma_T^2:
    //   Var(Y | t) = 2 (1 + 2 sigma_t^2 c^2) / (D sigma_T^4), Var(E[Y | t]) = c^4 Var_t(sigma_t^2) / sigma_T^4
    const double var_s2 = std::pow((1 - 0.01) / 2, 2);
    const double var_y = (2 * (1 + 2 * c * c * mean_s2) / D + std::pow(c, 4) * var_s2) / (sT2 * sT2);
    const double tol = 5 * std::sqrt(var_y / n);  // 5 standard errors of the mean over n examples
    const double per_element = losses.at("total_loss").item() / D;
    CHECK(std::fabs(per_element - expected) < tol);
    CHECK(std::fabs(losses.at("normalized_loss").item() - expected * sT2) < tol * sT2);
  }
}

TEST_CASE("NCSN loss: differentiable in the score network, shapes and sigmas checked", "[score][ncsn]") {
  const std::vector<double> sigmas{1, 0.1};
  auto score = std::make_shared<HandScore>(sigmas, false, 1.0);
  NoiseConditionedScoreNetwork m(score, {2}, sigmas);
  m.loss(Batch(randn({8, 2}))).at("total_loss").backward();
  REQUIRE(score->w.grad().defined());
  CHECK(std::isfinite(score->w.grad().item()));
  CHECK(score->w.grad().item() > 0);  // c = 1 > 0: the loss grows with w around w = 1 when E(c w + eps/sigma) > 0
  CHECK_THROWS_WITH(m.loss(Batch(randn({8, 3}))), Catch::Contains("expected x (B, (2))"));
  CHECK_THROWS_WITH(NoiseConditionedScoreNetwork(score, {2}, {0.1, 1}), Catch::Contains("sorted descending"));
  CHECK_THROWS_WITH(NoiseConditionedScoreNetwork(score, {2, 3}, sigmas), Catch::Contains("input_shape"));
}
