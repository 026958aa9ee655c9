// Homework 4 task 3, the NCSN (hw4.3 the weighted denoising score matching loss, hw4.4 annealed Langevin dynamics):
// the notebook's tests (a dummy conditioned MLP with sigmas [0.1]: a finite scalar loss that trains it; the
// conditioned ResNet's output differs for y = 0 and y = 1) and checks that can fail, against hand derivations:
//   * data x = 0 and the exact score of q(x_t | x), s(x_t, t) = -x_t / sigma_t^2: the loss is 0 (the level index
//     handed to the network must be the level whose sigma made x_t);
//   * a zero score: l = sigma_t^2 / sigma_T^2 (eps / sigma_t)^2 = eps^2 / sigma_T^2, mean 1 / sigma_T^2 (sigma_T the
//     smallest sigma), within 5 standard errors (Var eps^2 = 2, examples independent);
//   * annealed Langevin with the exact score of N(mu, s^2) smoothed at each level, N(mu, s^2 + sigma_i^2): its
//     steps are linear, so the mean and variance after the run follow m' = a m + (1 - a) mu, V' = a^2 V + eta_i,
//     a = 1 - eta_i / (2 v_i), eta_i = eps sigma_i^2 / sigma_T^2, computed here in double (5 standard errors).
#include <cmath>

#include "../helpers.h"
#include "models/score/annealed_langevin.h"
#include "models/score/conditioned_resnet.h"
#include "models/score/ncsn.h"
#include "nn/modules/embedding.h"
#include "nn/modules/linear.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::score;

namespace {

// The notebook's dummy: an MLP on the flattened image plus an embedding of the level.
class DummyConditionedMLP : public ConditionedModule {
 public:
  DummyConditionedMLP(int64_t dim, int64_t levels) {
    linear = register_module("linear", std::make_shared<nn::Linear>(dim, dim));
    embedding = register_module("embedding", std::make_shared<nn::Embedding>(levels, dim));
  }
  using ConditionedModule::forward;
  Tensor forward(const Tensor& x, const Tensor& y) override {
    return (linear->forward(x.flatten(1)) + embedding->forward(y)).view(x.shape());
  }
  std::shared_ptr<nn::Linear> linear;
  std::shared_ptr<nn::Embedding> embedding;
};

// s(x, t) = -x / sigma_t^2 (exact for data 0), or 0.
class HandScore : public ConditionedModule {
 public:
  HandScore(std::vector<double> sigmas, bool exact) : sigmas_(std::move(sigmas)), exact_(exact) {}
  using ConditionedModule::forward;
  Tensor forward(const Tensor& x, const Tensor& y) override {
    if (!exact_) return zeros_like(x);
    std::vector<float> inv;
    for (int64_t level : y.to_vector<int64_t>()) inv.push_back(static_cast<float>(-1 / std::pow(sigmas_[level], 2)));
    Shape s(static_cast<size_t>(x.dim()), 1);
    s[0] = x.size(0);
    return x * tensor(inv).view(s);
  }

 private:
  std::vector<double> sigmas_;
  bool exact_;
};

}  // namespace

TEST_CASE("hw4.3: the notebook's test: a dummy conditioned MLP, sigmas [0.1], a finite loss that trains",
          "[hw4][hw4.3]") {
  manual_seed(0);
  auto net = std::make_shared<DummyConditionedMLP>(4, 1);
  NoiseConditionedScoreNetwork model(net, {1, 2, 2}, {0.1});
  const Losses losses = model.loss(Batch(rand({8, 1, 2, 2}) * 2.0 - 1.0));
  REQUIRE(losses.count("total_loss") == 1);
  const Tensor loss = losses.at("total_loss");
  CHECK(loss.dim() == 0);
  CHECK(std::isfinite(loss.item()));
  CHECK(loss.item() > 0);
  loss.backward();
  REQUIRE(net->linear->weight.grad().defined());
  CHECK(net->linear->weight.grad().abs().sum().item() > 0);
  // the per-element loss keeps x's shape
  CHECK(model.forward(zeros({3, 1, 2, 2})).shape() == Shape{3, 1, 2, 2});
}

TEST_CASE("hw4.3: the conditioned ResNet differs for y = 0 and y = 1, and its loss is finite", "[hw4][hw4.3]") {
  manual_seed(1);
  auto net = std::make_shared<ConditionedSimpleResnet>(1, 1, 8, 2, 2);
  const Tensor x = randn({2, 1, 8, 8});
  const Tensor out0 = net->forward(x, zeros({2}, kInt64)), out1 = net->forward(x, ones({2}, kInt64));
  REQUIRE(out0.shape() == Shape{2, 1, 8, 8});
  CHECK((out0 - out1).abs().max().item() > 1e-4);
  NoiseConditionedScoreNetwork model(net, {1, 8, 8}, {1.0, 0.1});
  CHECK(std::isfinite(model.loss(Batch(x)).at("total_loss").item()));
}

TEST_CASE("hw4.3: data 0 and the exact score of q(x_t | x) at the drawn level give a zero loss", "[hw4][hw4.3]") {
  const std::vector<double> sigmas{3, 1, 0.2};
  NoiseConditionedScoreNetwork model(std::make_shared<HandScore>(sigmas, true), {1, 2, 3}, sigmas);
  Generator gen(2);
  const Tensor l = model.forward(zeros({64, 1, 2, 3}), &gen);
  REQUIRE(l.shape() == Shape{64, 1, 2, 3});
  CHECK(l.abs().max().item() < 1e-6);
}

TEST_CASE("hw4.3: a zero score gives the weighted loss 1 / sigma_T^2 per element (sigma_T the smallest)",
          "[hw4][hw4.3]") {
  const std::vector<double> sigmas{2, 0.5, 0.1};
  NoiseConditionedScoreNetwork model(std::make_shared<HandScore>(sigmas, false), {3}, sigmas);
  const int64_t n = 20000, D = 3;
  manual_seed(3);
  const double per_element = model.loss(Batch(randn({n, D}))).at("total_loss").item() / D;
  // eps^2 / sigma_T^2 per element: mean 100; one example's mean over D elements has variance 2 / (D sigma_T^4)
  const double tol = 5 * std::sqrt(2.0 / D / n) / 0.01;
  CHECK(std::fabs(per_element - 100) < tol);
}

TEST_CASE("hw4.4: annealed Langevin on a smoothed Gaussian reaches the chain's exact mean and variance",
          "[hw4][hw4.4]") {
  const std::vector<double> sigmas{2, 0.7, 0.25};  // contractions a = 0.62, 0.73, 0.92
  const double s2 = 0.25, eps = 0.05, mu = 1.5;
  const int64_t n = 10000, steps = 100;
  const LevelScoreFn score = [&](const Tensor& x, const Tensor& level) {
    const double v = s2 + std::pow(sigmas[level.to_vector<int64_t>()[0]], 2);
    return (x - mu) * (-1 / v);
  };
  Generator gen(4);
  const Tensor x0 = uniform(-1, 1, {n, 1}, {}, &gen);
  std::vector<int64_t> levels;
  const Tensor x = annealed_langevin_dynamics(score, x0, sigmas, steps, eps, &gen,
                                              [&](int64_t i, const Tensor&) { levels.push_back(i); });
  CHECK(levels == std::vector<int64_t>{0, 1, 2});
  double m = 0, V = 1.0 / 3;
  for (double sigma : sigmas) {
    const double v = s2 + sigma * sigma, eta = eps * sigma * sigma / (sigmas.back() * sigmas.back());
    const double a = 1 - eta / (2 * v);
    for (int64_t k = 0; k < steps; ++k) {
      m = a * m + (1 - a) * mu;
      V = a * a * V + eta;
    }
  }
  const Tensor x64 = x.to(kFloat64);
  CHECK(std::fabs(x64.mean().item() - m) < 5 * std::sqrt(V / n));
  CHECK(std::fabs(x64.var().item() - V) < 5 * V * std::sqrt(2.0 / n));
}

TEST_CASE("hw4.4: the NCSN samples images in [0, 1] with its network's score", "[hw4][hw4.4]") {
  manual_seed(5);
  NoiseConditionedScoreNetwork model(std::make_shared<DummyConditionedMLP>(4, 2), {1, 2, 2}, {1.0, 0.1});
  Generator gen(6);
  SampleOptions options(&gen);
  options.steps = 3;
  const Tensor images = model.sample(5, options);
  REQUIRE(images.shape() == Shape{5, 1, 2, 2});
  CHECK(images.min().item() >= 0.0);
  CHECK(images.max().item() <= 1.0);
  // eps = 0 is refused, not silently replaced
  CHECK_THROWS_WITH(model.annealed_langevin_dynamics(zeros({2, 1, 2, 2}), 3, 0.0), Catch::Contains("eps"));
}
