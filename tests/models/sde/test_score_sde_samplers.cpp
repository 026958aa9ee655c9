// The reverse-SDE and probability-flow ODE samplers (models/sde/score_sde_samplers.h) with the EXACT score of a
// Gaussian data set N(m, s^2) (gaussian_data_sde.h): the target at t_end is the Gaussian marginal N(c m, v) in closed
// form. Reverse SDE: its samples' moments are within 5 standard errors of the Euler-Maruyama recursion by hand, which
// is itself within the discretization error of the target. PF-ODE: each sample is the exact flow map of its own
// prior draw (rk4 to 1e-4 relative), deterministic, and Euler converges at order 1.
#include <cmath>

#include "../../helpers.h"
#include "models/sde/score_sde_samplers.h"
#include "tests/models/sde/gaussian_data_sde.h"
#include "tests/models/sde/sample_moments.h"

using namespace dgm;
namespace sde = dgm::models::sde;
namespace ode = dgm::models::ode;

namespace {

constexpr double kM = 1.0, kS = 0.5, kTEnd = 1e-3;

struct Case {
  std::shared_ptr<sde::ScoreSde> sde;
  test::GaussianDataSde ref;
};

std::vector<Case> cases() {
  return {{std::make_shared<sde::VESDE>(0.01, 50), {"ve", 0.01, 50, kM, kS}},
          {std::make_shared<sde::VPSDE>(0.1, 20), {"vp", 0.1, 20, kM, kS}}};
}

// The exact score of the data smoothed to time t: -(x - c(t) m) / v(t), from the test's own formulas.
sde::ScoreFunction exact_score(const test::GaussianDataSde& ref) {
  return [ref](const Tensor& x, double t) { return (x - ref.mean(t)) * (-1.0 / ref.v(t)); };
}

// N draws of the exact marginal at t = 1 (N, 1) float64.
Tensor exact_x1(const test::GaussianDataSde& ref, int64_t N, uint64_t seed) {
  Generator gen(seed);
  return ref.mean(1) + std::sqrt(ref.v(1)) * randn({N, 1}, kFloat64, &gen);
}

}  // namespace

TEST_CASE("reverse SDE with the exact Gaussian score reproduces N(m, s^2) (VE and VP)", "[sde][score_sde_samplers]") {
  const int64_t N = 10000, steps = 250;
  for (const Case& k : cases()) {
    INFO(k.sde->name());
    // from the exact marginal at 1, and (VP) from the prior N(0, 1) the sampler is used with
    for (bool from_prior : {false, true}) {
      if (from_prior && k.ref.kind == "ve") continue;  // VE's prior N(0, 50^2) differs from p_1 in the mean: below
      INFO("from the prior: " << from_prior);
      Generator prior_gen(1);
      const Tensor x1 = from_prior ? k.sde->prior_sample({N, 1}, kFloat64, &prior_gen) : exact_x1(k.ref, N, 1);
      Generator gen(2);
      const Tensor x = sde::reverse_sde_sample(*k.sde, exact_score(k.ref), x1, steps, kTEnd, &gen);
      REQUIRE(x.shape() == Shape{N, 1});
      const test::SampleMoments got = test::column_moments(x);
      const test::SampleMoments start = test::column_moments(x1);
      const auto [em_mean, em_var] = k.ref.reverse_em_moments(start.mean, start.var, steps, kTEnd);
      const double target_mean = k.ref.mean(kTEnd), target_var = k.ref.v(kTEnd);
      INFO("mean " << got.mean << " (EM " << em_mean << ", target " << target_mean << "), var " << got.var << " (EM "
                   << em_var << ", target " << target_var << ")");
      // the samples against the scheme's law (from the draws' own start moments: the start's sampling error is then
      // carried exactly, what remains is the EM noise and the start's higher moments, within the same 5 SE)
      CHECK(std::abs(got.mean - em_mean) < 5 * test::mean_standard_error(em_var, N));
      CHECK(std::abs(got.var - em_var) < 5 * test::var_standard_error(em_var, N));
      // the scheme against the target: the discretization error at 250 steps (the recursion in Python: VP mean
      // +0.23%, var +0.6%; VE < 0.1%)
      CHECK(std::abs(em_mean - target_mean) < 0.005 * target_mean);
      CHECK(std::abs(em_var - target_var) < 0.01 * target_var);
      // so the samples reproduce N(m, s^2) within sampling tolerance + discretization
      CHECK(std::abs(got.mean - kM) < 5 * test::mean_standard_error(kS * kS, N) + std::abs(em_mean - kM) + 1e-3);
      CHECK(std::abs(got.var - kS * kS) < 5 * test::var_standard_error(kS * kS, N) + std::abs(em_var - kS * kS));
    }
  }
}

TEST_CASE("probability-flow ODE with the exact Gaussian score is the exact flow map (VE and VP)",
          "[sde][score_sde_samplers]") {
  const int64_t N = 20000;
  for (const Case& k : cases()) {
    INFO(k.sde->name());
    const Tensor x1 = exact_x1(k.ref, N, 3);
    ode::OdeOptions rk4;
    rk4.method = ode::OdeMethod::rk4;
    ode::OdeStats stats;
    const Tensor x = sde::probability_flow_sample(*k.sde, exact_score(k.ref), x1, 100, rk4, kTEnd, &stats);
    CHECK(stats.nfe == 400);
    // sample by sample: the flow map of its own prior draw
    std::vector<double> expected;
    for (double a : x1.to_vector<double>()) expected.push_back(k.ref.flow(a, 1, kTEnd));
    test::check_values(x, expected, 1e-4 * kS, 1e-4);
    // deterministic given x_1
    CHECK(sde::probability_flow_sample(*k.sde, exact_score(k.ref), x1, 100, rk4, kTEnd).to_vector<double>() ==
          x.to_vector<double>());
    // and so N(m, s^2) within the sampling tolerance (plus std(t_end)'s tiny smoothing, in the target)
    const test::SampleMoments got = test::column_moments(x);
    CHECK(std::abs(got.mean - k.ref.mean(kTEnd)) < 5 * test::mean_standard_error(k.ref.v(kTEnd), N));
    CHECK(std::abs(got.var - k.ref.v(kTEnd)) < 5 * test::var_standard_error(k.ref.v(kTEnd), N));
    // Euler converges at order 1: doubling the steps halves the largest error of the map (ratio within [1.7, 2.3])
    ode::OdeOptions euler;
    std::vector<double> err;
    for (int64_t n : {200, 400}) {
      const auto got_e =
          sde::probability_flow_sample(*k.sde, exact_score(k.ref), x1, n, euler, kTEnd).to_vector<double>();
      double worst = 0;
      for (size_t i = 0; i < got_e.size(); ++i) worst = std::max(worst, std::abs(got_e[i] - expected[i]));
      err.push_back(worst);
    }
    INFO("euler errors " << err[0] << ", " << err[1]);
    CHECK(err[0] / err[1] > 1.7);
    CHECK(err[0] / err[1] < 2.3);
  }
}

TEST_CASE("score SDE samplers: float32 batches of points, VE prior, and errors", "[sde][score_sde_samplers]") {
  const Case k = cases()[0];
  // the VE sampler from its prior N(0, 50^2): the PF-ODE maps x_1 to m + x_1 sqrt(v(t_end) / v(1)) - m sqrt(...):
  // a mean bias of m s / 50 = 1% that the flow map states exactly
  Generator gen(9);
  const Tensor prior = k.sde->prior_sample({500, 2}, kFloat32, &gen);
  ode::OdeOptions rk4;
  rk4.method = ode::OdeMethod::rk4;
  const Tensor x = sde::probability_flow_sample(*k.sde, exact_score(k.ref), prior, 200, rk4, kTEnd);
  REQUIRE(x.shape() == Shape{500, 2});
  CHECK(x.dtype() == kFloat32);
  std::vector<double> expected;
  for (double a : prior.to_vector<double>()) expected.push_back(k.ref.flow(a, 1, kTEnd));
  test::check_values(x, expected, 1e-3, 1e-3);
  Generator g2(10);
  const Tensor y = sde::reverse_sde_sample(*k.sde, exact_score(k.ref), prior, 50, kTEnd, &g2);
  CHECK(y.shape() == Shape{500, 2});
  CHECK(y.dtype() == kFloat32);

  const auto score = exact_score(k.ref);
  CHECK_THROWS_WITH(sde::reverse_sde_sample(*k.sde, score, prior, 0), Catch::Contains("num_steps must be >= 1, got 0"));
  CHECK_THROWS_WITH(sde::reverse_sde_sample(*k.sde, score, prior, 10, 1.0), Catch::Contains("t_end must be in (0, 1)"));
  // t = 0: std(0) = 0, every score infinite
  CHECK_THROWS_WITH(sde::reverse_sde_sample(*k.sde, score, prior, 10, 0.0), Catch::Contains("t_end must be in (0, 1)"));
  CHECK_THROWS_WITH(sde::probability_flow_sample(*k.sde, score, Tensor(), 10),
                    Catch::Contains("probability_flow_sample") && Catch::Contains("x_1"));
  const sde::ScoreFunction wrong = [](const Tensor& x, double) { return x.sum({1}); };
  CHECK_THROWS_WITH(sde::probability_flow_sample(*k.sde, wrong, prior, 10),
                    Catch::Contains("score") && Catch::Contains("(500,2)") && Catch::Contains("(500)"));
  CHECK_THROWS_AS(sde::reverse_sde_sample(*k.sde, wrong, prior, 10), Error);
}
