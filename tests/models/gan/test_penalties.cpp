// The gradient penalties of models/gan/penalties.h against closed forms (a linear critic) and their gradients with
// respect to the critic's weights (a double backward) against float64 central differences.
#include <cmath>

#include "models/gan/penalties.h"
#include "tests/helpers.h"

using namespace dgm;
using models::gan::Critic;

namespace {

// f(x) = x w + b, one score per row: grad_x f = w for every example.
Critic linear_critic(const Tensor& w, const Tensor& b) {
  return [w, b](const Tensor& x) { return matmul(x, w) + b; };
}

// f(x) = tanh(x W1) w2, a small MLP whose input gradient depends on x.
Critic mlp_critic(const Tensor& w1, const Tensor& w2) {
  return [w1, w2](const Tensor& x) { return matmul(tanh(matmul(x, w1)), w2); };
}

}  // namespace

TEST_CASE("gradient penalties of a linear critic have closed forms", "[gan][penalty]") {
  // w = (3, 4): |w| = 5, so GP = (5 - 1)^2 = 16 at every interpolate and R1 = |w|^2 = 25 (hand values).
  Tensor w = tensor(std::vector<double>{3, 4}, {2}).reshape({2, 1});
  Tensor b = tensor(std::vector<double>{0.5}, {1});
  Critic f = linear_critic(w, b);
  Tensor real = test::uniform_values({6, 2}, -2, 2, 3), fake = test::uniform_values({6, 2}, -2, 2, 4);
  Generator gen(7);
  test::check_values(models::gan::gradient_penalty(f, real, fake, &gen), {16.0}, 1e-12, 1e-12);
  test::check_values(models::gan::r1_penalty(f, real), {25.0}, 1e-12, 1e-12);
  test::check_values(models::gan::input_gradient_norm(f, real), std::vector<double>(6, 5.0), 1e-12, 1e-12);

  // d GP / d w = 2 (|w| - 1) w / |w| = 2 * 4 * (3, 4) / 5 = (4.8, 6.4); d R1 / d w = 2 w = (6, 8).
  Tensor wl = w.clone().requires_grad_(true);
  models::gan::gradient_penalty(linear_critic(wl, b), real, fake, &gen).backward();
  test::check_values(wl.grad().reshape({2}), {4.8, 6.4}, 1e-12, 1e-12);
  Tensor wr = w.clone().requires_grad_(true);
  models::gan::r1_penalty(linear_critic(wr, b), real).backward();
  test::check_values(wr.grad().reshape({2}), {6.0, 8.0}, 1e-12, 1e-12);
}

TEST_CASE("gradient penalties differentiate through the critic's input gradient (double backward)", "[gan][penalty]") {
  Tensor w1 = test::uniform_values({3, 5}, -1, 1, 11), w2 = test::uniform_values({5, 1}, -1, 1, 12);
  Tensor real = test::uniform_values({4, 3}, -1, 1, 13), fake = test::uniform_values({4, 3}, -1, 1, 14);
  for (const char* which : {"gp", "r1"}) {
    INFO("penalty " << which);
    // The penalty as a function of W1 alone; the same interpolation weights t at every call (a fresh Generator(5)).
    auto penalty = [&](const Tensor& a) {
      Generator gen(5);
      Critic f = mlp_critic(a, w2);
      return std::string(which) == "gp" ? models::gan::gradient_penalty(f, real, fake, &gen)
                                        : models::gan::r1_penalty(f, real);
    };
    Tensor a = w1.clone().requires_grad_(true);
    penalty(a).backward();
    std::vector<double> analytic = a.grad().to_vector<double>();
    std::vector<double> base = w1.to_vector<double>();
    const double h = 1e-6;
    for (size_t k = 0; k < base.size(); ++k) {
      std::vector<double> plus = base, minus = base;
      plus[k] += h;
      minus[k] -= h;
      double fp = penalty(tensor(plus, {3, 5})).item<double>(), fm = penalty(tensor(minus, {3, 5})).item<double>();
      double numeric = (fp - fm) / (2 * h);
      INFO("W1 element " << k << ": analytic " << analytic[k] << ", central difference " << numeric);
      CHECK(std::fabs(analytic[k] - numeric) <= 1e-7 + 1e-6 * std::fabs(numeric));
    }
  }
}

TEST_CASE("gradient penalties refuse mismatched batches", "[gan][penalty]") {
  Critic f = linear_critic(tensor(std::vector<double>{1, 1}, {2, 1}), tensor(std::vector<double>{0}, {1}));
  Generator gen(1);
  CHECK_THROWS_WITH(models::gan::gradient_penalty(f, zeros({4, 2}, kFloat64), zeros({3, 2}, kFloat64), &gen),
                    Catch::Contains("gradient_penalty: real (4,2) and fake (3,2)"));
  CHECK_THROWS_WITH(models::gan::r1_penalty(f, zeros({4}, kFloat64)), Catch::Contains("r1_penalty"));
}

TEST_CASE("the gradient penalty is taken at t x_real + (1 - t) x_fake, one t per example", "[gan][penalty]") {
  // f(x) = |x|^2 / 2 per row has grad_x f = x, so the penalty is mean_i (|x_t,i| - 1)^2 at the interpolates
  // themselves: a linear critic (constant gradient) cannot tell where they are. t comes from a copy of the generator
  // (the penalty draws one t per example, shape (B, 1), before anything else).
  Critic half_square = [](const Tensor& x) { return (x * x).sum({1}) * 0.5; };
  Tensor real = test::uniform_values({5, 3}, -2, 2, 21), fake = test::uniform_values({5, 3}, -2, 2, 22);
  Generator gen(9), copy(9);
  std::vector<double> t = rand({5, 1}, kFloat64, &copy).to_vector<double>();
  std::vector<double> r = real.to_vector<double>(), f = fake.to_vector<double>();
  double expected = 0;
  for (int i = 0; i < 5; ++i) {
    double sq = 0;
    for (int j = 0; j < 3; ++j) {
      const double x = t[i] * r[i * 3 + j] + (1 - t[i]) * f[i * 3 + j];
      sq += x * x;
    }
    expected += (std::sqrt(sq) - 1) * (std::sqrt(sq) - 1) / 5;
  }
  test::check_values(models::gan::gradient_penalty(half_square, real, fake, &gen), {expected}, 1e-12, 1e-12);
  // R1 of the same critic: mean_i |x_real,i|^2
  double r1 = 0;
  for (double v : r) r1 += v * v / 5;
  test::check_values(models::gan::r1_penalty(half_square, real), {r1}, 1e-12, 1e-12);
}
