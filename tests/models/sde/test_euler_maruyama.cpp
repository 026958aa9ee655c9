// Euler-Maruyama (models/sde/euler_maruyama.h) on the Ornstein-Uhlenbeck process dx = -theta x dt + s dW, x(0) = x0,
// whose law at t is Gaussian in closed form: mean x0 e^{-theta t}, variance s^2 / (2 theta) (1 - e^{-2 theta t}).
// The scheme's own law is Gaussian too and follows by hand: with h = t' - t and a = 1 - theta h,
//   mean' = a mean,   var' = a^2 var + s^2 |h|            (EM: x' = a x + s sqrt(|h|) eps)
// so after n equal steps mean_n = x0 a^n, and the weak error of the mean x0 (a^n - e^{-theta T}) is
// -x0 e^{-theta T} theta^2 T h / 2 + O(h^2): first order. The statistical tolerances are 5 standard errors of the
// sample moments (sample_moments.h).
#include <cmath>

#include "../../helpers.h"
#include "models/sde/euler_maruyama.h"
#include "tests/models/sde/sample_moments.h"

using namespace dgm;
namespace sde = dgm::models::sde;

namespace {

struct OU {
  double theta, s;
  sde::SdeFunction drift() const {
    return [th = theta](double, const Tensor& y) { return -th * y; };
  }
  sde::SdeFunction diffusion() const {
    return [sv = s](double, const Tensor& y) { return scalar_tensor(sv, TensorOptions().dtype(y.dtype())); };
  }
};

// The EM recursion above, n equal steps from t0 to t1 (either direction), from mean m0 and variance v0.
std::pair<double, double> em_moments(const OU& ou, double m0, double v0, double t0, double t1, int64_t n) {
  const double h = (t1 - t0) / static_cast<double>(n);
  const double a = 1 - ou.theta * h;
  double m = m0, v = v0;
  for (int64_t i = 0; i < n; ++i) {
    m = a * m;
    v = a * a * v + ou.s * ou.s * std::abs(h);
  }
  return {m, v};
}

std::vector<double> grid(double t0, double t1, int64_t n) {
  std::vector<double> t(n + 1);
  for (int64_t k = 0; k <= n; ++k) t[k] = t0 + (t1 - t0) * static_cast<double>(k) / static_cast<double>(n);
  return t;
}

}  // namespace

TEST_CASE("Euler-Maruyama: OU mean and variance match the closed form within sampling and discretization error",
          "[sde][euler_maruyama]") {
  const OU ou{1.5, 0.8};
  const double x0 = 2.0, T = 1.0;
  const int64_t N = 40000, n = 100;
  Generator gen(11);
  const Tensor y0 = full({N, 1}, x0, kFloat64);
  const Tensor yT = sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), y0, grid(0, T, n), &gen);
  const test::SampleMoments got = test::column_moments(yT);
  const double mean = x0 * std::exp(-ou.theta * T);
  const double var = ou.s * ou.s / (2 * ou.theta) * (1 - std::exp(-2 * ou.theta * T));
  const auto [em_mean, em_var] = em_moments(ou, x0, 0, 0, T, n);
  INFO("mean " << got.mean << " (exact " << mean << ", EM " << em_mean << "), var " << got.var << " (exact " << var
               << ", EM " << em_var << ")");
  // against the scheme's own law: sampling error alone
  CHECK(std::abs(got.mean - em_mean) < 5 * test::mean_standard_error(em_var, N));
  CHECK(std::abs(got.var - em_var) < 5 * test::var_standard_error(em_var, N));
  // against the SDE's: sampling error plus the discretization bias, which is the first-order term above to within 5%
  // (h = 0.01: -mean theta^2 T h / 2 = -1.1% of the mean), and under 2% of the variance
  const double h = T / static_cast<double>(n), first_order = -mean * ou.theta * ou.theta * T * h / 2;
  CHECK(std::abs((em_mean - mean) - first_order) < 0.05 * std::abs(first_order));
  CHECK(std::abs(em_var - var) < 0.02 * var);
  CHECK(std::abs(got.mean - mean) < 5 * test::mean_standard_error(em_var, N) + std::abs(em_mean - mean));
  CHECK(std::abs(got.var - var) < 5 * test::var_standard_error(em_var, N) + std::abs(em_var - var));
}

TEST_CASE("Euler-Maruyama: weak order 1 on OU (halving dt halves the error of the mean)", "[sde][euler_maruyama]") {
  // theta = 1, x0 = 1, T = 1: the EM means 0.75^4 = 0.3164 and 0.875^8 = 0.3436 against e^{-1} = 0.3679,
  // errors 0.0515 and 0.0243 (ratio 2.12; weak order 2 would give 4). With s = 0.2 and N = 1e5 the standard error of
  // each sample mean is 4.2e-4, so 5 of them keep the ratio within [0.0494 / 0.0264, 0.0536 / 0.0222] = [1.87, 2.41].
  const OU ou{1.0, 0.2};
  const double x0 = 1.0, T = 1.0, exact = std::exp(-1.0);
  const int64_t N = 100000;
  const Tensor y0 = full({N, 1}, x0, kFloat64);
  std::vector<double> error;
  for (int64_t n : {4, 8}) {
    Generator gen(100 + n);
    const Tensor yT = sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), y0, grid(0, T, n), &gen);
    const test::SampleMoments got = test::column_moments(yT);
    const auto [em_mean, em_var] = em_moments(ou, x0, 0, 0, T, n);
    INFO(n << " steps: mean " << got.mean << ", EM's exact " << em_mean);
    CHECK(std::abs(got.mean - em_mean) < 5 * test::mean_standard_error(em_var, N));
    CHECK(std::abs(got.var - em_var) < 5 * test::var_standard_error(em_var, N));
    error.push_back(std::abs(got.mean - exact));
  }
  INFO("errors " << error[0] << ", " << error[1]);
  CHECK(error[0] / error[1] > 1.87);
  CHECK(error[0] / error[1] < 2.41);
}

TEST_CASE("Euler-Maruyama: decreasing times step backwards with Brownian variance |h|", "[sde][euler_maruyama]") {
  // From t = 1 down to 0 in 50 steps, h = -0.02: mean' = (1 + theta |h|) mean, var' = (1 + theta |h|)^2 var + s^2 |h|
  const OU ou{0.7, 0.5};
  const double x0 = -1.0;
  const int64_t N = 100000, n = 50;
  Generator gen(5);
  const Tensor y0 = full({N, 1}, x0, kFloat64);
  const Tensor y = sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), y0, grid(1, 0, n), &gen);
  const test::SampleMoments got = test::column_moments(y);
  const auto [em_mean, em_var] = em_moments(ou, x0, 0, 1, 0, n);
  INFO("mean " << got.mean << " (EM " << em_mean << "), var " << got.var << " (EM " << em_var << ")");
  CHECK(em_mean < x0 * 1.9);  // the drift grows |x| backwards in time: x0 (1 + 0.014)^50 = 2.0 x0
  CHECK(std::abs(got.mean - em_mean) < 5 * test::mean_standard_error(em_var, N));
  CHECK(std::abs(got.var - em_var) < 5 * test::var_standard_error(em_var, N));
}

TEST_CASE("Euler-Maruyama: elementwise diffusion, the path, sub-steps and the generator", "[sde][euler_maruyama]") {
  // dy = g dW with g = (0.1, 1, 3) per column: EM is exact, y(T) ~ N(y0, g^2 T)
  const int64_t N = 50000;
  const std::vector<double> g{0.1, 1.0, 3.0};
  const Tensor g_row = tensor(g, {1, 3});
  const sde::SdeFunction zero = [](double, const Tensor& y) { return zeros_like(y); };
  const sde::SdeFunction elementwise = [&](double, const Tensor& y) { return g_row.expand(y.shape()).contiguous(); };
  const Tensor y0 = zeros({N, 3}, kFloat64);
  const std::vector<double> times{0.0, 0.5, 2.0};
  Generator gen(8);
  sde::SdeStats stats;
  const Tensor path = sde::sdeint_euler_maruyama(zero, elementwise, y0, times, &gen, {}, &stats);
  REQUIRE(path.shape() == Shape{3, N, 3});
  CHECK(stats.steps == 2);
  CHECK(path.select(0, 0).to_vector<double>() == y0.to_vector<double>());
  for (int64_t c = 0; c < 3; ++c) {
    const test::SampleMoments end = test::column_moments(path.select(0, 2), c);
    const double var = g[c] * g[c] * 2.0;
    INFO("column " << c << ": mean " << end.mean << ", var " << end.var << " (exact " << var << ")");
    CHECK(std::abs(end.mean) < 5 * test::mean_standard_error(var, N));
    CHECK(std::abs(end.var - var) < 5 * test::var_standard_error(var, N));
  }
  // the end alone is the path's last row from the same draws
  Generator g1(21), g2(21);
  const OU ou{1.0, 0.3};
  const Tensor small = full({4, 2}, 1.0, kFloat32);
  const Tensor p = sde::sdeint_euler_maruyama(ou.drift(), ou.diffusion(), small, times, &g1);
  const Tensor e = sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), small, times, &g2);
  CHECK(p.select(0, 2).to_vector<float>() == e.to_vector<float>());
  CHECK(e.dtype() == kFloat32);
  // step_size 0.25 cuts [0, 0.5] into 2 and [0.5, 2] into 6 steps: the same as the grid 0, 0.25, ..., 2
  Generator g3(4), g4(4);
  sde::SdeOptions fine;
  fine.step_size = 0.25;
  sde::SdeStats fine_stats;
  const Tensor sub = sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), small, times, &g3, fine, &fine_stats);
  CHECK(fine_stats.steps == 8);
  test::check_values(
      sub, sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), small, grid(0, 2, 8), &g4).to_vector<double>(),
      1e-6, 1e-6);
  // another seed, another path
  Generator g5(22);
  CHECK(sde::sdeint_euler_maruyama_end(ou.drift(), ou.diffusion(), small, times, &g5).to_vector<float>() !=
        e.to_vector<float>());
}

TEST_CASE("Euler-Maruyama: bad input is a dgm::Error naming the problem", "[sde][euler_maruyama]") {
  const OU ou{1.0, 1.0};
  const Tensor y0 = zeros({3, 2});
  const auto f = ou.drift();
  const auto g = ou.diffusion();
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, Tensor(), {0, 1}), Catch::Contains("y0 is undefined"));
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, zeros({3}, kInt64), {0, 1}),
                    Catch::Contains("floating point") && Catch::Contains("int64"));
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, y0, {0}), Catch::Contains("at least 2 points (got 1)"));
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama_end(f, g, y0, {0, 1, 0.5}),
                    Catch::Contains("strictly increasing or strictly decreasing"));
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, y0, {0, 0}), Catch::Contains("strictly"));
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, y0, {0, std::nan("")}), Catch::Contains("finite"));
  sde::SdeOptions bad;
  bad.step_size = -0.1;
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, g, y0, {0, 1}, nullptr, bad),
                    Catch::Contains("step_size must be >= 0"));
  const sde::SdeFunction wrong_f = [](double, const Tensor&) { return zeros({3}); };
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(wrong_f, g, y0, {0, 1}),
                    Catch::Contains("drift") && Catch::Contains("(3,2)"));
  const sde::SdeFunction wrong_g = [](double, const Tensor&) { return ones({2}); };
  CHECK_THROWS_WITH(sde::sdeint_euler_maruyama(f, wrong_g, y0, {0, 1}),
                    Catch::Contains("diffusion") && Catch::Contains("one element"));
  CHECK_THROWS_AS(sde::sdeint_euler_maruyama(f, wrong_g, y0, {0, 1}), Error);
}
