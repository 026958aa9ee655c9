// Statistical tests of the shared samplers (models/diffusion/samplers.h) with an exact noise predictor.
//
// Data x0 ~ N(m, s^2) per coordinate gives x_t ~ N(mu_t, v_t), mu_t = sqrt(abar_t) m, v_t = abar_t s^2 + 1 - abar_t,
// whose score is -(x - mu_t) / v_t; the noise predictor that minimizes E |eps - eps(x_t, t)|^2 is
// E[eps | x_t] = -sqrt(1 - abar_t) score = sqrt(1 - abar_t) (x_t - mu_t) / v_t (Tweedie). With it every step of
// DDPM and DDIM is affine in x plus Gaussian noise, so the sampler's output law is exactly N(M, V), where (M, V)
// follow from x_T ~ N(0, 1) by the recursion M <- A M + B, V <- A^2 V + sigma^2 (written out here in double from
// the course's formulas, independently of the code under test). M, V differ from (m, s^2) by the discretization
// error; the tests pick T = 1000 where that error is below the sampling tolerance and state both.
// Samples run in float64 so that float32 rounding (x0 = (...) / sqrt(abar_{T-1}), abar_{T-1} ~ 1e-9) stays out.
#include <cmath>
#include <vector>

#include "../../helpers.h"
#include "models/diffusion/diffusion_schedule.h"
#include "models/diffusion/samplers.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;

namespace {

// The cosine schedule written again from the notebook's formula (s = 0.008, betas capped at 0.999).
struct Schedule {
  std::vector<double> beta, abar;
  explicit Schedule(int T) {
    auto f = [T](double t) { return std::pow(std::cos(((t / T + 0.008) / 1.008) * M_PI / 2), 2); };
    double prod = 1;
    for (int t = 1; t <= T; ++t) {
      beta.push_back(std::min(1 - f(t) / f(t - 1), 0.999));
      prod *= 1 - beta.back();
      abar.push_back(prod);
    }
  }
  double abar_prev(int t) const { return t == 0 ? 1.0 : abar[t - 1]; }
};

// The exact eps of data N(m_j, s^2) for column j of x (B, D) float64, at the batch's timestep.
struct GaussianData {
  std::vector<double> m;
  double s2;
  const Schedule* sched;
  Tensor operator()(const Tensor& x, const Tensor& t) const {
    const double ab = sched->abar[static_cast<size_t>(t.to_vector<int64_t>()[0])];
    const double v = ab * s2 + 1 - ab;
    const Tensor mu = tensor(m, {1, static_cast<int64_t>(m.size())}).to(x.dtype()) * std::sqrt(ab);
    // eps = sqrt(1 - abar_t) (x_t - mu_t) / v_t
    return (x - mu) * (std::sqrt(1 - ab) / v);
  }
};

// Coefficients of x0^(x) = gx x + g0 for the exact eps: x0^ = (x - sqrt(1 - abar) eps) / sqrt(abar).
void x0_affine(const Schedule& sc, int t, double m, double s2, double& gx, double& g0) {
  const double ab = sc.abar[t], v = ab * s2 + 1 - ab, mu = std::sqrt(ab) * m;
  gx = (1 - (1 - ab) / v) / std::sqrt(ab);
  g0 = (1 - ab) * mu / v / std::sqrt(ab);
}

// The exact output law N(M, V) of DDPM ancestral sampling from x_{T-1} ~ N(0, 1) for data N(m, s2).
std::pair<double, double> ddpm_law(const Schedule& sc, double m, double s2) {
  double M = 0, V = 1;
  for (int t = static_cast<int>(sc.abar.size()) - 1; t >= 0; --t) {
    const double ab = sc.abar[t], abp = sc.abar_prev(t), b = sc.beta[t];
    // mu~ = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t
    const double c0 = std::sqrt(abp) * b / (1 - ab), ct = std::sqrt(1 - b) * (1 - abp) / (1 - ab);
    double gx, g0;
    x0_affine(sc, t, m, s2, gx, g0);
    const double A = c0 * gx + ct, B = c0 * g0;
    M = A * M + B;
    V = A * A * V + (1 - abp) / (1 - ab) * b;  // + beta~_t
  }
  return {M, V};
}

// The exact output law of DDIM with eta on `ts` (descending) for data N(m, s2).
std::pair<double, double> ddim_law(const Schedule& sc, const std::vector<int64_t>& ts, double eta, double m,
                                   double s2) {
  double M = 0, V = 1;
  for (size_t i = 0; i < ts.size(); ++i) {
    const int t = static_cast<int>(ts[i]);
    const double ab = sc.abar[t], abs = i + 1 < ts.size() ? sc.abar[static_cast<size_t>(ts[i + 1])] : 1.0;
    const double v = ab * s2 + 1 - ab, mu = std::sqrt(ab) * m;
    double gx, g0;
    x0_affine(sc, t, m, s2, gx, g0);
    const double ex = std::sqrt(1 - ab) / v, e0 = -std::sqrt(1 - ab) * mu / v;  // eps = ex x + e0
    const double sigma2 = eta * eta * (1 - abs) / (1 - ab) * (1 - ab / abs);
    const double d = std::sqrt(std::max(1 - abs - sigma2, 0.0));
    // x_s = sqrt(abar_s) x0^ + sqrt(1 - abar_s - sigma^2) eps + sigma z
    const double A = std::sqrt(abs) * gx + d * ex, B = std::sqrt(abs) * g0 + d * e0;
    M = A * M + B;
    V = A * A * V + sigma2;
  }
  return {M, V};
}

Tensor column(const Tensor& x, int64_t j) { return x.narrow(1, j, 1).reshape({-1}); }

// Sample mean and variance of column j within 5 standard errors of (M, V): se(mean) = sqrt(V / n),
// se(var) = V sqrt(2 / n) for Gaussian samples.
void check_law(const Tensor& x, int64_t j, double M, double V) {
  const Tensor c = column(x, j);
  const double n = static_cast<double>(c.numel());
  const double mean = c.mean().item<double>(), var = c.var().item<double>();
  INFO("column " << j << ": mean " << mean << " (expected " << M << "), var " << var << " (expected " << V << ")");
  CHECK(std::abs(mean - M) < 5 * std::sqrt(V / n));
  CHECK(std::abs(var - V) < 5 * V * std::sqrt(2 / n));
}

Tensor prior(int64_t n, int64_t d, Generator& gen) { return randn({n, d}, TensorOptions().dtype(kFloat64), &gen); }

constexpr int64_t kN = 20000;        // samples of the short chains; se(var)/var = sqrt(2 / 20000) = 1 %
constexpr int64_t kLongRun = 10000;  // samples of the T = 1000 chains; se(var)/var = sqrt(2 / 10000) = 1.4 %

}  // namespace

TEST_CASE("DDPM ancestral sampling with the exact eps of N(m, s^2) reproduces it", "[diffusion][samplers]") {
  test::OneThread one;  // elementwise loops of 20000 values: threads only contend
  const int T = 1000;
  const Schedule sc(T);
  const double s2 = 0.25;
  const GaussianData data{{1.0, -0.5}, s2, &sc};
  diffusion::ReverseDiffusion reverse(T);
  Generator gen(11);
  const Tensor x = diffusion::ddpm_sample_loop(reverse, data, prior(kLongRun, 2, gen), &gen);
  REQUIRE(x.shape() == Shape{kLongRun, 2});
  for (int64_t j = 0; j < 2; ++j) {
    auto [M, V] = ddpm_law(sc, data.m[j], s2);
    // discretization at T = 1000 (from the exact law): |V - s^2| = 0.002, below 5 se = 5 * 0.25 * 0.014 = 0.018
    CHECK(std::abs(V - s2) < 0.0025);
    CHECK(std::abs(M - data.m[j]) < 1e-6);
    check_law(x, j, M, V);
    check_law(x, j, data.m[j], s2);
  }
}

TEST_CASE("DDPM sampling at T = 100 follows its exact law, which the tolerance tells from N(m, s^2)",
          "[diffusion][samplers]") {
  // At T = 100 beta~ underestimates the reverse variance: V = 0.2327 against s^2 = 0.25, a gap of 7 standard
  // errors of the sample variance; the sampler must match V (what the chain is) and the check must see the gap.
  const int T = 100;
  const Schedule sc(T);
  const GaussianData data{{0.3}, 0.25, &sc};
  diffusion::ReverseDiffusion reverse(T);
  Generator gen(12);
  const Tensor x = diffusion::ddpm_sample_loop(reverse, data, prior(kN, 1, gen), &gen);
  auto [M, V] = ddpm_law(sc, 0.3, 0.25);
  CHECK(V == Approx(0.2327).margin(1e-3));
  check_law(x, 0, M, V);
  CHECK(std::abs(column(x, 0).var().item<double>() - 0.25) > 3 * 0.25 * std::sqrt(2.0 / kN));
}

TEST_CASE("DDIM with eta = 0 reproduces N(m, s^2) and is deterministic", "[diffusion][samplers]") {
  test::OneThread one;  // elementwise loops of 20000 values: threads only contend
  const int T = 1000;
  const Schedule sc(T);
  const double s2 = 0.25;
  const GaussianData data{{1.0, -0.5}, s2, &sc};
  const diffusion::BaseDiffusion schedule(T);
  std::vector<int64_t> every;
  for (int64_t t = T - 1; t >= 0; --t) every.push_back(t);
  Generator gen(13);
  const Tensor x_T = prior(kLongRun, 2, gen);
  const Tensor x = diffusion::ddim_sample_loop(schedule, data, x_T, every, 0.0);
  for (int64_t j = 0; j < 2; ++j) {
    auto [M, V] = ddim_law(sc, every, 0.0, data.m[j], s2);
    // discretization at T = 1000 (exact law): |V - s^2| = 0.0008, |M - m| = 2.5e-5
    CHECK(std::abs(V - s2) < 0.001);
    check_law(x, j, M, V);
    check_law(x, j, data.m[j], s2);
  }
  // 50 strided steps: the law of the chain on those steps, still close to N(m, s^2)
  const std::vector<int64_t> strided = diffusion::strided_timesteps(T, 50);
  Generator a(1), b(2);
  const Tensor xa = diffusion::ddim_sample_loop(schedule, data, x_T, strided, 0.0, std::nullopt, &a);
  const Tensor xb = diffusion::ddim_sample_loop(schedule, data, x_T, strided, 0.0, std::nullopt, &b);
  // bitwise the same output from the same x_T whatever the generator, and nothing drawn from it
  CHECK(xa.to_vector<double>() == xb.to_vector<double>());
  Generator fresh(1);
  CHECK(randn({4}, &a).to_vector<float>() == randn({4}, &fresh).to_vector<float>());
  for (int64_t j = 0; j < 2; ++j) {
    auto [M, V] = ddim_law(sc, strided, 0.0, data.m[j], s2);
    check_law(xa, j, M, V);
  }
}

TEST_CASE("one step of DDPM and of DDIM with eta = 1 has the posterior's mean and variance", "[diffusion][samplers]") {
  // From a fixed x_t and any eps (here a constant 0.3, not the data's), both samplers draw x_{t-1} ~
  // N(mu~_t(x_t, x0^), beta~_t) with x0^ = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t): DDIM's eta = 1 gives
  // sigma_t^2 = (1 - abar_{t-1}) / (1 - abar_t) (1 - abar_t / abar_{t-1}) = beta~_t and the same mean.
  const int T = 20;
  const Schedule sc(T);
  const diffusion::EpsFn eps = [](const Tensor& x, const Tensor&) { return full_like(x, 0.3); };
  const double xt = 0.7;
  auto posterior = [&](int t) {
    const double ab = sc.abar[t], abp = sc.abar_prev(t), b = sc.beta[t];
    const double x0 = (xt - std::sqrt(1 - ab) * 0.3) / std::sqrt(ab);
    const double mean = std::sqrt(abp) * b / (1 - ab) * x0 + std::sqrt(1 - b) * (1 - abp) / (1 - ab) * xt;
    return std::make_pair(mean, (1 - abp) / (1 - ab) * b);
  };
  const Tensor x_t = full({kN, 1}, xt, kFloat64);
  // DDPM: its first step is t = T - 1
  Tensor first;
  Generator gen(14);
  diffusion::ReverseDiffusion reverse(T);
  diffusion::ddpm_sample_loop(reverse, eps, x_t, &gen, [&](int64_t t, const Tensor& x) {
    if (t == T - 1) first = x.clone();
  });
  auto [m1, v1] = posterior(T - 1);
  check_law(first, 0, m1, v1);
  // DDIM eta = 1 on every timestep from t = 7
  const diffusion::BaseDiffusion schedule(T);
  std::vector<int64_t> from7;
  for (int64_t t = 7; t >= 0; --t) from7.push_back(t);
  Tensor step7;
  diffusion::ddim_sample_loop(schedule, eps, x_t, from7, 1.0, std::nullopt, &gen, [&](int64_t t, const Tensor& x) {
    if (t == 7) step7 = x.clone();
  });
  auto [m7, v7] = posterior(7);
  check_law(step7, 0, m7, v7);
  // and over the whole chain eta = 1 has DDPM's law (exact recursions: equal to 1e-9)
  std::vector<int64_t> every;
  for (int64_t t = T - 1; t >= 0; --t) every.push_back(t);
  auto [Md, Vd] = ddpm_law(sc, 1.0, 0.25);
  auto [Mi, Vi] = ddim_law(sc, every, 1.0, 1.0, 0.25);
  CHECK(Mi == Approx(Md).margin(1e-9));
  CHECK(Vi == Approx(Vd).margin(1e-9));
}

TEST_CASE("strided_timesteps: evenly spaced, rounded, T-1 and 0 included, descending", "[diffusion][samplers]") {
  using V = std::vector<int64_t>;
  CHECK(diffusion::strided_timesteps(10, 4) == V{9, 6, 3, 0});
  CHECK(diffusion::strided_timesteps(100, 3) == V{99, 50, 0});  // 49.5 rounds away from zero
  CHECK(diffusion::strided_timesteps(5, 5) == V{4, 3, 2, 1, 0});
  CHECK(diffusion::strided_timesteps(1000, 2) == V{999, 0});
  CHECK(diffusion::strided_timesteps(1000, 1) == V{999});
  CHECK(diffusion::strided_timesteps(1, 1) == V{0});
  const V s = diffusion::strided_timesteps(1000, 50);
  REQUIRE(s.size() == 50);
  CHECK(s.front() == 999);
  CHECK(s.back() == 0);
  for (size_t i = 1; i < s.size(); ++i) {
    CHECK(s[i] < s[i - 1]);
    CHECK(std::abs(static_cast<double>(s[i - 1] - s[i]) - 999.0 / 49) <= 1);
  }
  CHECK_THROWS_WITH(diffusion::strided_timesteps(10, 0),
                    Catch::Contains("strided_timesteps: steps must be in [1, 10]"));
  CHECK_THROWS_WITH(diffusion::strided_timesteps(10, 11), Catch::Contains("got 11"));
}

TEST_CASE("clip_range bounds x0^ in both samplers: the last step returns it", "[diffusion][samplers]") {
  // data N(3, 0.01) lies outside [-1, 1]: unclipped samples come out near 3, clipped ones at most 1
  const int T = 50;
  const Schedule sc(T);
  const GaussianData data{{3.0}, 0.01, &sc};
  Generator gen(15);
  const Tensor x_T = prior(2000, 1, gen);
  diffusion::ReverseDiffusion clipped(T, std::make_pair(-1.0, 1.0)), free(T);
  const Tensor a = diffusion::ddpm_sample_loop(clipped, data, x_T, &gen);
  const Tensor b = diffusion::ddpm_sample_loop(free, data, x_T, &gen);
  CHECK(a.max().item<double>() <= 1.0);
  CHECK(a.min().item<double>() >= -1.0);
  CHECK(b.mean().item<double>() == Approx(3.0).margin(0.1));
  const diffusion::BaseDiffusion schedule(T);
  const std::vector<int64_t> ts = diffusion::strided_timesteps(T, 10);
  const Tensor c = diffusion::ddim_sample_loop(schedule, data, x_T, ts, 0.0, std::make_pair(-1.0, 1.0));
  CHECK(c.max().item<double>() <= 1.0);
  CHECK(c.min().item<double>() >= -1.0);
  // with the data far outside the range x0^ sits at the bound 1 from the first step on
  CHECK(c.min().item<double>() == Approx(1.0).margin(1e-6));
}

TEST_CASE("the samplers refuse bad input with the operation's name", "[diffusion][samplers]") {
  const diffusion::ReverseDiffusion reverse(10);
  const diffusion::EpsFn zero = [](const Tensor& x, const Tensor&) { return zeros_like(x); };
  const diffusion::EpsFn wrong = [](const Tensor& x, const Tensor&) { return zeros({x.size(0), 3}); };
  const Tensor x = zeros({4, 2});
  CHECK_THROWS_WITH(diffusion::ddpm_sample_loop(reverse, wrong, x),
                    Catch::Contains("ddpm_sample_loop: the noise predictor returned (4,3) for x_t (4,2)"));
  CHECK_THROWS_WITH(diffusion::ddpm_sample_loop(reverse, zero, Tensor()), Catch::Contains("ddpm_sample_loop"));
  CHECK_THROWS_WITH(diffusion::ddim_sample_loop(reverse, zero, x, {9, 5}, 1.5),
                    Catch::Contains("eta must be in [0, 1]"));
  CHECK_THROWS_WITH(diffusion::ddim_sample_loop(reverse, zero, x, {}, 0.0), Catch::Contains("no timesteps"));
  CHECK_THROWS_WITH(diffusion::ddim_sample_loop(reverse, zero, x, {10, 5}, 0.0),
                    Catch::Contains("timestep 10 is outside [0, 10)"));
  CHECK_THROWS_WITH(diffusion::ddim_sample_loop(reverse, zero, x, {5, 5}, 0.0),
                    Catch::Contains("strictly descending, got 5 then 5"));
  CHECK_THROWS_WITH(diffusion::ddim_sample_loop(reverse, wrong, x, {5}, 0.0),
                    Catch::Contains("ddim_sample_loop: the noise predictor returned (4,3)"));
}
