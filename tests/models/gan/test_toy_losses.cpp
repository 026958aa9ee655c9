// The GAN losses of models/gan/gan_losses.h against hand values: D = sigmoid(l) at known logits in float64
// (-log D and -log(1 - D) computed from D itself, not through softplus), the Wasserstein and hinge losses by
// hand, and the f-GAN bounds at their optimum T* = f'(p/q) on a pair of discrete distributions, where the bound
// equals the divergence's closed form; the conjugates f* against a brute-force sup_u (u t - f(u)).
#include <cmath>

#include "models/gan/gan_losses.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::gan;

namespace {

double sig(double l) { return 1.0 / (1.0 + std::exp(-l)); }

Tensor vec(const std::vector<double>& v) { return tensor(v, {static_cast<int64_t>(v.size())}, kFloat64); }

double mean_of(const std::vector<double>& v, double (*f)(double)) {
  double s = 0;
  for (double x : v) s += f(x);
  return s / static_cast<double>(v.size());
}

}  // namespace

TEST_CASE("vanilla and non-saturating GAN losses equal their closed forms in D = sigmoid(logit)", "[gan][toy]") {
  const std::vector<double> real{-2.0, 0.0, 1.5, 4.0}, fake{-3.0, -0.5, 0.0, 2.5};
  // -E log D(x) - E log(1 - D(G(z))) from D itself
  const double d_loss = mean_of(real, [](double l) { return -std::log(sig(l)); }) +
                        mean_of(fake, [](double l) { return -std::log(1.0 - sig(l)); });
  test::check_values(discriminator_loss(vec(real), vec(fake)), {d_loss}, 1e-12, 1e-12);
  // minimax generator: E log(1 - D(G(z))); NS-GAN: -E log D(G(z))
  test::check_values(saturating_generator_loss(vec(fake)),
                     {mean_of(fake, [](double l) { return std::log(1.0 - sig(l)); })}, 1e-12, 1e-12);
  test::check_values(nonsaturating_generator_loss(vec(fake)),
                     {mean_of(fake, [](double l) { return -std::log(sig(l)); })}, 1e-12, 1e-12);
  // at D = 1/2 everywhere the discriminator loss is log 4 (lecture 6: the value at the optimum p_g = p_data)
  test::check_values(discriminator_loss(zeros({5, 1}, kFloat64), zeros({7, 1}, kFloat64)), {std::log(4.0)}, 1e-12,
                     1e-12);
  // softplus(-l) = -log sigmoid(l) element by element, including large |l| where 1 - D rounds in float32
  for (double l : {-30.0, -8.0, 0.3, 8.0, 30.0}) {
    INFO("logit " << l);
    const double expected = l > 0 ? std::log1p(std::exp(-l)) : -l + std::log1p(std::exp(l));  // -log sigmoid(l)
    test::check_values(nonsaturating_generator_loss(vec({l})), {expected}, 1e-14, 1e-12);
  }
}

TEST_CASE("the saturating loss's gradient vanishes where D(G(z)) is small, the non-saturating one's does not",
          "[gan][toy]") {
  // d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0 as l -> -inf; d/dl -log sigmoid(l) = sigmoid(l) - 1 -> -1
  Tensor l = vec({-6.0}).requires_grad_(true);
  saturating_generator_loss(l).backward();
  test::check_values(l.grad(), {-sig(-6.0)}, 1e-14, 1e-12);
  Tensor m = vec({-6.0}).requires_grad_(true);
  nonsaturating_generator_loss(m).backward();
  test::check_values(m.grad(), {sig(-6.0) - 1.0}, 1e-14, 1e-12);
}

TEST_CASE("Wasserstein and hinge losses by hand", "[gan][toy]") {
  Tensor real = vec({1.0, 3.0, -0.5}), fake = vec({-2.0, 0.5});
  // E f(fake) - E f(real) = -0.75 - 7/6
  test::check_values(wasserstein_critic_loss(real, fake), {-0.75 - 3.5 / 3.0}, 1e-12, 1e-12);
  test::check_values(wasserstein_generator_loss(fake), {0.75}, 1e-12, 1e-12);
  // relu(1 - real) = (0, 0, 1.5) -> 0.5; relu(1 + fake) = (0, 1.5) -> 0.75
  test::check_values(hinge_critic_loss(real, fake), {1.25}, 1e-12, 1e-12);
  test::check_values(hinge_generator_loss(fake), {0.75}, 1e-12, 1e-12);
  CHECK_THROWS_WITH(discriminator_loss(vec({}), fake), Catch::Contains("discriminator_loss"));
}

TEST_CASE("f-GAN conjugates are sup_u (u t - f(u))", "[gan][toy]") {
  struct Case {
    const char* name;
    double (*f)(double);
    double u_max;
  };
  const std::vector<Case> cases{
      {"kl", [](double u) { return u * std::log(u); }, 60.0},
      {"pearson", [](double u) { return (u - 1) * (u - 1); }, 60.0},
      {"gan", [](double u) { return u * std::log(u) - (u + 1) * std::log(u + 1); }, 400.0},
  };
  for (const Case& c : cases) {
    for (double t : {-2.0, -0.7, -0.1, 0.5, 1.5}) {
      if (std::string(c.name) == "gan" && t >= 0) continue;  // dom f* = (-inf, 0) (homework 3 P2)
      // brute force over u in (0, u_max] (dom f = u > 0; the sups here are attained inside it)
      double best = -INFINITY;
      for (double u = 1e-6; u <= c.u_max; u += 1e-4) best = std::max(best, u * t - c.f(u));
      INFO(c.name << " at t = " << t);
      test::check_values(f_conjugate(c.name, vec({t})), {best}, 1e-6, 1e-6);
    }
  }
  CHECK_THROWS_WITH(f_conjugate("hellinger", vec({0.0})), Catch::Contains("kl, pearson or gan"));
}

TEST_CASE("f-GAN critic losses equal minus the divergence at the optimal critic", "[gan][toy]") {
  // P = (1/2, 1/2) and Q = (1/4, 3/4) on two points a, b; batches weight the points by repetition:
  // real = (a, b), fake = (a, b, b, b). The critic's value at a point is v with g_f(v) = T*(x) = f'(p/q).
  const double pa = 0.5, pb = 0.5, qa = 0.25, qb = 0.75;
  auto batch = [](double va, double vb, bool fake) { return fake ? vec({va, vb, vb, vb}) : vec({va, vb}); };
  {
    // KL: f'(u) = log u + 1, g_f = id; KL(P || Q) = sum p log(p / q)
    const double va = std::log(pa / qa) + 1, vb = std::log(pb / qb) + 1;
    const double kl = pa * std::log(pa / qa) + pb * std::log(pb / qb);
    test::check_values(fgan_critic_loss("kl", batch(va, vb, false), batch(va, vb, true)), {-kl}, 1e-12, 1e-12);
    // any other critic gives a smaller bound, i.e. a larger loss
    CHECK(fgan_critic_loss("kl", batch(va + 0.1, vb, false), batch(va + 0.1, vb, true)).item<double>() > -kl);
  }
  {
    // Pearson chi^2: f'(u) = 2 (u - 1); chi^2(P || Q) = sum (p - q)^2 / q
    const double va = 2 * (pa / qa - 1), vb = 2 * (pb / qb - 1);
    const double chi2 = (pa - qa) * (pa - qa) / qa + (pb - qb) * (pb - qb) / qb;
    test::check_values(fgan_critic_loss("pearson", batch(va, vb, false), batch(va, vb, true)), {-chi2}, 1e-12, 1e-12);
    CHECK(fgan_critic_loss("pearson", batch(va, vb - 0.2, false), batch(va, vb - 0.2, true)).item<double>() > -chi2);
  }
  {
    // GAN (homework 3 P2): T* = log(p / (p + q)) = log sigmoid(v) at v = log(p / q); the bound is
    // E_P log D* + E_Q log(1 - D*) = 2 JS(P, Q) - log 4
    const double va = std::log(pa / qa), vb = std::log(pb / qb);
    const double ma = (pa + qa) / 2, mb = (pb + qb) / 2;
    const double js = 0.5 * (pa * std::log(pa / ma) + pb * std::log(pb / mb)) +
                      0.5 * (qa * std::log(qa / ma) + qb * std::log(qb / mb));
    test::check_values(fgan_critic_loss("gan", batch(va, vb, false), batch(va, vb, true)), {-(2 * js - std::log(4.0))},
                       1e-12, 1e-12);
  }
  // the generator's loss is -E_Q g_f(v): for kl and pearson minus the mean score
  test::check_values(fgan_generator_loss("kl", vec({1.0, 2.0})), {-1.5}, 1e-12, 1e-12);
}
