// Homework 2, the VAE (task 3): the course's unit values for the Gaussian KL
// and NLL, and checks against closed forms and Monte Carlo estimates.
#include <cmath>

#include "../helpers.h"
#include "models/vae/normal.h"

using namespace dgm;
using namespace dgm::models::vae;
using dgm::test::check_values;

namespace {
Tensor scalar(double v) { return tensor(std::vector<double>{v}, {1}); }
Tensor pair(double a, double b) { return tensor(std::vector<double>{a, b}, {2}); }
}  // namespace

TEST_CASE("get_normal_KL gives the course's values", "[hw2][hw2.6]") {
  check_values(get_normal_KL(scalar(2), scalar(3)), {200.2144}, 0, 1e-5);
  check_values(get_normal_KL(scalar(2), scalar(3), scalar(4), scalar(5)), {1.50925}, 0, 1e-5);
  // The notebook's batched case: mean_1 = (10, 10), log_std_1 = (2, 4) against mean_2 = (3, 5) with log_std_2 = 0.
  check_values(get_normal_KL(pair(10, 10), pair(2, 4), pair(3, 5), pair(0, 0)), {49.2990, 1498.479}, 0, 1e-3);
}

TEST_CASE("get_normal_KL is 0 between equal Gaussians, broadcasts, and defaults to N(0,1)", "[hw2][hw2.6]") {
  Tensor m = tensor(std::vector<double>{-1.5, 0, 2}, {3, 1});
  Tensor s = tensor(std::vector<double>{-0.5, 0.3}, {1, 2});
  Tensor same = get_normal_KL(m, s, m, s);
  REQUIRE(same.shape() == Shape{3, 2});
  check_values(same, {0, 0, 0, 0, 0, 0}, 1e-12, 0);
  // Against N(0,1): 1/2 (mu^2 + sigma^2 - 1 - log sigma^2), by hand.
  Tensor kl = get_normal_KL(m, s);
  std::vector<double> expected;
  for (double mu : {-1.5, 0.0, 2.0})
    for (double ls : {-0.5, 0.3}) expected.push_back(0.5 * (mu * mu + std::exp(2 * ls) - 1 - 2 * ls));
  check_values(kl, expected, 1e-12, 1e-12);
}

TEST_CASE("get_normal_KL matches a Monte Carlo estimate E_q[log q - log p]", "[hw2][hw2.6]") {
  manual_seed(26);
  const double m1 = 0.7, s1 = -0.4, m2 = -0.3, s2 = 0.25;
  const int64_t n = 400000;
  Tensor z = m1 + std::exp(s1) * randn({n}, TensorOptions(kFloat64));
  auto log_n = [](const Tensor& x, double m, double ls) {
    return -0.5 * std::log(2 * M_PI) - ls - (x - m).square() / (2 * std::exp(2 * ls));
  };
  const double mc = (log_n(z, m1, s1) - log_n(z, m2, s2)).mean().item<double>();
  const double kl = get_normal_KL(scalar(m1), scalar(s1), scalar(m2), scalar(s2)).item<double>();
  // The estimator's standard error at n = 4e5 is about 1e-3 here; 5e-3 is five of them.
  CHECK(std::abs(mc - kl) < 5e-3);
}

TEST_CASE("get_normal_nll gives the course's values", "[hw2][hw2.7]") {
  check_values(get_normal_nll(scalar(2), scalar(2), scalar(3)), {3.9189}, 0, 1e-4);
  check_values(get_normal_nll(scalar(5), scalar(-3), scalar(6)), {6.9191}, 0, 1e-4);
  check_values(get_normal_nll(pair(10, 10), pair(2, 4), pair(3, 5)), {3.9982, 5.9197}, 0, 1e-3);
}

TEST_CASE("get_normal_nll integrates to a density and broadcasts", "[hw2][hw2.7]") {
  // exp(-nll) over a fine grid sums to 1 (trapezoid rule on [-12, 12] for N(0.5, e^{0.2})).
  const int64_t n = 24001;
  Tensor x = linspace(-12, 12, n, TensorOptions(kFloat64));
  const double h = 24.0 / (n - 1);
  const double mass = exp(-get_normal_nll(x, scalar(0.5), scalar(0.2))).sum().item<double>() * h;
  CHECK(std::abs(mass - 1) < 1e-9);
  Tensor out = get_normal_nll(zeros({2, 1}, TensorOptions(kFloat64)), zeros({1, 3}, TensorOptions(kFloat64)),
                              zeros({1, 1}, TensorOptions(kFloat64)));
  REQUIRE(out.shape() == Shape{2, 3});
  check_values(out, std::vector<double>(6, 0.5 * std::log(2 * M_PI)), 1e-12, 0);
}
