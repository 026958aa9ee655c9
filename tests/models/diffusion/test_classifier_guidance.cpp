// Classifier guidance (models/diffusion/classifier_guidance.h), against references that do not use the code under
// test: the input gradient of a linear-logit classifier by hand (grad_x log softmax(s W x + b)_y = s (W_y - sum_k
// p_k W_k)), the guided eps with abar_t written out again in double; and guided sampling on a 1-D two-Gaussian
// mixture with the exact eps and the exact classifier, where gamma = 1 gives exactly the class-conditional score,
// so the guided samples must be the class's Gaussian (tolerances from the sample size).
#include <cmath>
#include <stdexcept>
#include <vector>

#include "../../helpers.h"
#include "autograd/ops/shape_ops.h"
#include "cosine_schedule_reference.h"
#include "models/diffusion/classifier_guidance.h"
#include "models/diffusion/samplers.h"
#include "nn/functional/softmax.h"
#include "tensor/factories.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;

namespace {

using dgm::test::abar_reference;

constexpr int64_t kD = 3, kC = 4;
const std::vector<double> kW = {0.5, -1.0, 0.25, 2.0, 0.0, -0.5, -1.5, 0.75, 1.0, 0.3, 0.3, -0.2};  // (C, D)
const std::vector<double> kB = {0.1, -0.2, 0.0, 0.4};

// logits (B, C) = (1 + t) x W^T + b: a classifier whose input gradient is known in closed form
Tensor linear_logits(const Tensor& x, const Tensor& t) {
  const Tensor w = tensor(kW, {kC, kD}).to(kFloat32);
  const Tensor scale = (t.to(kFloat32) + 1.0).unsqueeze(1);
  return x.matmul(w.transpose(0, 1)) * scale + tensor(kB, {1, kC}).to(kFloat32);
}

}  // namespace

TEST_CASE("classifier guidance: the input gradient of a linear-logit classifier is s (W_y - sum_k p_k W_k)",
          "[diffusion][guidance]") {
  const int64_t B = 5;
  const Tensor x = test::uniform_values({B, kD}, -1, 1, 4).to(kFloat32);
  const std::vector<int64_t> tv = {0, 5, 50, 99, 20}, yv = {0, 3, 1, 2, 3};
  const Tensor t = tensor(tv), y = tensor(yv);
  const Tensor g = diffusion::classifier_log_prob_grad(diffusion::log_prob_from_logits(linear_logits), x, t, y);
  REQUIRE(g.shape() == x.shape());
  CHECK_FALSE(g.requires_grad());
  const std::vector<double> xs = x.to_vector<double>(), gs = g.to_vector<double>();
  for (int64_t i = 0; i < B; ++i) {
    const double s = 1.0 + static_cast<double>(tv[static_cast<size_t>(i)]);
    std::vector<double> logit(kC), p(kC);
    double mx = -1e300, z = 0;
    for (int64_t k = 0; k < kC; ++k) {
      logit[k] = kB[k];
      for (int64_t d = 0; d < kD; ++d) logit[k] += s * kW[k * kD + d] * xs[i * kD + d];
      mx = std::max(mx, logit[k]);
    }
    for (int64_t k = 0; k < kC; ++k) z += (p[k] = std::exp(logit[k] - mx));
    for (int64_t d = 0; d < kD; ++d) {
      // d/dx_d log softmax_y = s (W_yd - sum_k p_k W_kd)
      double expected = kW[yv[i] * kD + d];
      for (int64_t k = 0; k < kC; ++k) expected -= p[k] / z * kW[k * kD + d];
      expected *= s;
      INFO("example " << i << " dim " << d);
      CHECK(gs[i * kD + d] == Approx(expected).epsilon(1e-4).margin(1e-5));
    }
  }

  // eps^ = eps - gamma sqrt(1 - abar_t) grad, abar_t from the formula in double
  const diffusion::BaseDiffusion schedule(100);
  const std::vector<double> abar = abar_reference(100);
  const Tensor eps = test::uniform_values({B, kD}, -1, 1, 5).to(kFloat32);
  const double gamma = 2.5;
  const Tensor guided = diffusion::classifier_guided_eps(schedule, eps, g, t, gamma);
  const std::vector<double> es = eps.to_vector<double>(), hs = guided.to_vector<double>();
  for (int64_t i = 0; i < B; ++i)
    for (int64_t d = 0; d < kD; ++d) {
      const double expected = es[i * kD + d] - gamma * std::sqrt(1 - abar[tv[i]]) * gs[i * kD + d];
      CHECK(hs[i * kD + d] == Approx(expected).epsilon(1e-5).margin(1e-6));
    }

  // the same through the sampler's EpsFn, and under the samplers' NoGradGuard
  const diffusion::EpsFn fn = diffusion::classifier_guided(
      schedule, [&](const Tensor&, const Tensor&) { return eps; }, diffusion::log_prob_from_logits(linear_logits), y,
      gamma);
  NoGradGuard no_grad;
  CHECK((fn(x, t) - guided).abs().max().item() < 1e-6);
}

TEST_CASE("classifier guidance: gamma 0 leaves eps alone, bad input is a clear error", "[diffusion][guidance]") {
  const diffusion::BaseDiffusion schedule(10);
  const Tensor x = test::uniform_values({2, kD}, -1, 1, 6), t = tensor(std::vector<int64_t>{3, 4});
  const Tensor eps = test::uniform_values({2, kD}, -1, 1, 7);
  const diffusion::LogProbFn never = [](const Tensor&, const Tensor&, const Tensor&) -> Tensor {
    throw std::runtime_error("the classifier must not be called at gamma 0");
  };
  const auto eps_fn = [&](const Tensor&, const Tensor&) { return eps; };
  const Tensor y = tensor(std::vector<int64_t>{0, 1});
  CHECK((diffusion::classifier_guided(schedule, eps_fn, never, y, 0.0)(x, t) - eps).abs().max().item() == 0);
  CHECK_THROWS_WITH(diffusion::classifier_guided(schedule, eps_fn, never, y, -1.0),
                    Catch::Contains("gamma must be >= 0"));
  const auto lp = diffusion::log_prob_from_logits(linear_logits);
  CHECK_THROWS_WITH(diffusion::classifier_guided(schedule, eps_fn, lp, tensor(std::vector<int64_t>{0}), 1.0)(x, t),
                    Catch::Contains("1 labels for a batch x_t (2,3)"));
  CHECK_THROWS_WITH(diffusion::classifier_guided_eps(schedule, eps, eps.narrow(1, 0, 2), t, 1.0),
                    Catch::Contains("classifier_guided_eps"));
}

namespace {

// 1-D data: p(x_0) = w_0 N(m_0, s^2) + w_1 N(m_1, s^2). At step t, component k of x_t is N(a m_k, v),
// a = sqrt(abar_t), v = abar_t s^2 + 1 - abar_t.
struct Mixture {
  std::vector<double> w{0.8, 0.2}, m{-2.0, 2.0};
  double s = 0.5;
  std::vector<double> abar;

  // logits_k(x_t) = log w_k - (x - a m_k)^2 / (2 v): p(k | x_t) = softmax_k (the common terms cancel)
  Tensor logits(const Tensor& x, const Tensor& t) const {
    const double ab = abar[static_cast<size_t>(t.to_vector<int64_t>()[0])], a = std::sqrt(ab), v = ab * s * s + 1 - ab;
    const Tensor centers = tensor(std::vector<double>{a * m[0], a * m[1]}, {1, 2}).to(kFloat32);
    const Tensor logw = tensor(std::vector<double>{std::log(w[0]), std::log(w[1])}, {1, 2}).to(kFloat32);
    const Tensor diff = x - centers;  // (B, 2)
    return logw - diff * diff / (2 * v);
  }
  // eps(x_t) = -sqrt(1 - abar_t) grad log p(x_t) = sqrt(1 - abar_t) sum_k p(k | x_t) (x - a m_k) / v
  Tensor eps(const Tensor& x, const Tensor& t) const {
    const double ab = abar[static_cast<size_t>(t.to_vector<int64_t>()[0])], a = std::sqrt(ab), v = ab * s * s + 1 - ab;
    const Tensor r = nn::functional::softmax(logits(x, t), 1);
    const Tensor centers = tensor(std::vector<double>{a * m[0], a * m[1]}, {1, 2}).to(kFloat32);
    return (r * (x - centers)).sum(std::vector<int64_t>{1}, true) * (std::sqrt(1 - ab) / v);
  }
};

struct Moments {
  double mean = 0, var = 0, right = 0;  // right: the share of samples > 0
};
Moments moments(const Tensor& x) {
  const std::vector<double> v = x.to_vector<double>();
  Moments out;
  for (double e : v) out.mean += e / static_cast<double>(v.size());
  for (double e : v) {
    out.var += (e - out.mean) * (e - out.mean) / static_cast<double>(v.size() - 1);
    out.right += e > 0 ? 1.0 / static_cast<double>(v.size()) : 0;
  }
  return out;
}

}  // namespace

TEST_CASE("guided DDPM with the exact eps and classifier of a Gaussian mixture samples the class's Gaussian",
          "[diffusion][guidance]") {
  constexpr int T = 1000;
  constexpr int64_t N = 4000;
  const diffusion::ReverseDiffusion reverse(T);
  Mixture mix;
  mix.abar = abar_reference(T);
  const diffusion::EpsFn eps = [&](const Tensor& x, const Tensor& t) { return mix.eps(x, t); };
  const diffusion::LogProbFn lp =
      diffusion::log_prob_from_logits([&](const Tensor& x, const Tensor& t) { return mix.logits(x, t); });
  const Tensor right = full({N}, 1.0, kInt64), left = zeros({N}, kInt64);
  auto sample = [&](const Tensor& y, double gamma, uint64_t seed, bool ddim) {
    Generator gen(seed);
    const Tensor x_T = randn({N, 1}, kFloat32, &gen);
    const diffusion::EpsFn guided = diffusion::classifier_guided(reverse, eps, lp, y, gamma);
    return ddim ? diffusion::ddim_sample_loop(reverse, guided, x_T, diffusion::strided_timesteps(T, 100), 0.0,
                                              std::nullopt, &gen)
                : diffusion::ddpm_sample_loop(reverse, guided, x_T, &gen);
  };
  // Sampling tolerances, 4 standard errors of N draws: the share of a class with weight w, sqrt(w (1 - w) / N)
  // (0.8/0.2: 0.0063); a mean of N(m, s^2), s / sqrt(N) = 0.0079; a variance, s^2 sqrt(2 / (N - 1)) = 0.0056.
  const double se_share = std::sqrt(0.2 * 0.8 / N), se_mean = 0.5 / std::sqrt(double(N)),
               se_var = 0.25 * std::sqrt(2.0 / (N - 1));

  SECTION("gamma 0: the unguided sampler keeps the mixture's weights") {
    const Moments m = moments(sample(right, 0.0, 1, false));
    CHECK(std::abs(m.right - 0.2) < 4 * se_share);
  }
  // DDPM's own bias on N(m, 0.5^2) with the exact eps, T = 1000: the final variance is 0.99199 s^2 = 0.24800
  // (the variance recursion V <- (c0 sqrt(abar) s^2 / v + c1)^2 V + beta~_t from V_T = 1, in NumPy); the mean is exact.
  const double ddpm_var = 0.24800;
  SECTION("gamma 1: exactly the class-conditional score, so N(2, 0.25) for y = 1 (the minority class)") {
    const Moments m = moments(sample(right, 1.0, 2, false));
    INFO("mean " << m.mean << " variance " << m.var << " share > 0 " << m.right);
    // N(2, 0.5^2) puts Phi(-4) = 3e-5 of its mass below 0: at most a few samples of 4000
    CHECK(m.right > 0.999);
    CHECK(std::abs(m.mean - 2.0) < 4 * se_mean);
    CHECK(std::abs(m.var - ddpm_var) < 4 * se_var);
  }
  SECTION("gamma 1 for y = 0: N(-2, 0.25)") {
    const Moments m = moments(sample(left, 1.0, 3, false));
    CHECK(m.right < 0.001);
    CHECK(std::abs(m.mean + 2.0) < 4 * se_mean);
    CHECK(std::abs(m.var - ddpm_var) < 4 * se_var);
  }
  SECTION("gamma 3 moves all the mass to the class too") {
    const Moments m = moments(sample(right, 3.0, 4, false));
    CHECK(m.right > 0.999);
  }
  SECTION("guided DDIM (eta 0, 100 steps): the class's mean; its spread is DDIM's, slightly narrower") {
    const Moments m = moments(sample(right, 1.0, 5, true));
    INFO("mean " << m.mean << " variance " << m.var);
    CHECK(m.right > 0.999);
    CHECK(std::abs(m.mean - 2.0) < 4 * se_mean);
    // DDIM with 100 of 1000 steps on N(2, 0.25) gives the std 1.55% narrow (test_ddim_steps.cpp's closed form):
    // variance 0.2423; 4 standard errors around it
    CHECK(std::abs(m.var - 0.25 * 0.98451 * 0.98451) < 4 * se_var);
  }
}
