// A DDPM's schedule as a VP SDE (models/sde/ddpm_vp_sde.h): the kernel equals the DDPM's q(x_i | x0) at the grid
// times, beta(t) is -d log abar / dt, Ho et al.'s linear schedule (T = 1000, beta 1e-4 .. 0.02) is Song's
// VPSDE(0.1, 20) to O(1 / T), the score of an eps-predictor, and both samplers on the exact eps of a Gaussian data
// set reproduce it (grid-aligned steps: every score evaluation at a DDPM noise level).
#include <cmath>

#include "../../helpers.h"
#include "models/diffusion/diffusion_schedule.h"
#include "models/sde/ddpm_vp_sde.h"
#include "tests/models/sde/sample_moments.h"

using namespace dgm;
namespace sde = dgm::models::sde;

namespace {

// Ho et al.'s linear betas and their cumulative products, float64 (T).
Tensor linear_alphas_cumprod(int64_t T) {
  std::vector<double> abar(T);
  double a = 1;
  for (int64_t i = 0; i < T; ++i) {
    const double beta = 1e-4 + (0.02 - 1e-4) * static_cast<double>(i) / static_cast<double>(T - 1);
    a *= 1 - beta;
    abar[i] = a;
  }
  return tensor(abar, {T});
}

}  // namespace

TEST_CASE("DdpmVpSde: the kernel is the DDPM's at the grid times, beta(t) = -d log abar / dt", "[sde][ddpm_vp_sde]") {
  const models::diffusion::ForwardDiffusion ddpm(100);
  const sde::DdpmVpSde s(ddpm.alphas_cumprod);
  const auto abar = ddpm.alphas_cumprod.to_vector<double>();
  const auto betas = ddpm.betas.to_vector<double>();
  CHECK(s.num_timesteps() == 100);
  for (int64_t i = 0; i < 100; ++i) {
    INFO("step " << i);
    const double t = s.time_of(i);
    CHECK(t == Approx((i + 1) / 100.0));
    CHECK(s.timestep(t) == i);
    CHECK(s.mean_coeff(t) == Approx(std::sqrt(abar[i])).epsilon(1e-12));
    CHECK(s.marginal_std(t) == Approx(std::sqrt(1 - abar[i])).epsilon(1e-9));
    // beta on the piece ending at t_i: T log(abar_{i-1} / abar_i) = -T log(1 - beta_i)
    CHECK(s.beta(t - 0.005) == Approx(-100 * std::log(1 - betas[i])).epsilon(1e-9));
    // and -d/dt log abar(t) inside the piece (log abar is linear there: central differences are exact to rounding)
    const double h = 1e-4, mid = t - 0.005;
    CHECK((s.log_abar(mid - h) - s.log_abar(mid + h)) / (2 * h) == Approx(s.beta(mid)).epsilon(1e-6));
  }
  CHECK(s.mean_coeff(0.0) == 1.0);
  CHECK(s.marginal_std(0.0) == 0.0);
  CHECK(s.timestep(0.0) == 0);
  CHECK(s.timestep(1.0) == 99);
  CHECK(s.timestep(0.5 + 0.004) == 49);
  test::check_values(s.marginal_std(tensor(std::vector<double>{0.01, 0.5}, {2})),
                     {std::sqrt(1 - abar[0]), std::sqrt(1 - abar[49])}, 1e-12, 1e-9);
  CHECK(s.name() == "DdpmVpSde(T=100)");
}

TEST_CASE("DdpmVpSde: Ho et al.'s linear schedule is Song's VPSDE(0.1, 20) to O(1/T)", "[sde][ddpm_vp_sde]") {
  // T beta_i = beta(t_i) with beta(t) = 0.1 + 19.9 t (up to the grid's 1/T offset), but log abar_i sums
  // log(1 - beta_i) = -beta_i - beta_i^2 / 2 - ...: the second-order terms add up to -int_0^t beta^2 / (2T), -0.067
  // at t = 1 (int_0^1 beta^2 = 134), so log mean_coeff differs by up to 0.034 there; the std (near 1) by under 1%
  const sde::DdpmVpSde d(linear_alphas_cumprod(1000));
  const sde::VPSDE vp(0.1, 20);
  for (double t : {0.05, 0.2, 0.5, 0.8, 1.0}) {
    INFO("t = " << t);
    CHECK(std::abs(std::log(d.mean_coeff(t)) - std::log(vp.mean_coeff(t))) < 0.05);
    CHECK(std::abs(d.marginal_std(t) - vp.marginal_std(t)) < 0.01 * vp.marginal_std(t));
    CHECK(std::abs(d.beta(t) - vp.beta(t)) < 0.02 * vp.beta(t) + 0.01);
  }
}

TEST_CASE("DdpmVpSde: both samplers on the exact eps of Gaussian data reproduce it", "[sde][ddpm_vp_sde]") {
  // data N(m, s^2); at DDPM step i the exact eps is std_i (x - sqrt(abar_i) m) / (abar_i s^2 + 1 - abar_i)
  const double m = 1.0, s = 0.5;
  const Tensor abar_t = linear_alphas_cumprod(1000);
  const auto abar = abar_t.to_vector<double>();
  const sde::DdpmVpSde d(abar_t);
  std::vector<int64_t> seen;
  const sde::EpsFunction eps = [&](const Tensor& x, const Tensor& t) {
    const int64_t i = t.to_vector<int64_t>().front();
    seen.push_back(i);
    return (x - std::sqrt(abar[i]) * m) * (std::sqrt(1 - abar[i]) / (abar[i] * s * s + 1 - abar[i]));
  };
  const sde::ScoreFunction score = sde::ddpm_score(eps, d);
  const int64_t N = 5000;
  const double t_end = d.time_of(0);
  // the target at t_0: N(sqrt(abar_0) m, abar_0 s^2 + 1 - abar_0)
  const double target_mean = std::sqrt(abar[0]) * m, target_var = abar[0] * s * s + 1 - abar[0];
  Generator gen(1);
  const Tensor prior = d.prior_sample({N, 1}, kFloat64, &gen);
  // 999 steps from t = 1 to t_0 = 1/T: each one DDPM step, every score at a DDPM noise level
  const Tensor x = sde::reverse_sde_sample(d, score, prior, 999, t_end, &gen);
  CHECK(seen.size() == 999);
  CHECK(seen.front() == 999);
  CHECK(seen.back() == 1);
  // the Euler-Maruyama bias of the continuous VP SDE at 1000 steps was +0.05% in the mean and +0.2% in the variance
  // (the recursion of gaussian_data_sde.h); 1% and 2% leave room for the discrete schedule's
  const test::SampleMoments got = test::column_moments(x);
  INFO("reverse SDE: mean " << got.mean << " (target " << target_mean << "), var " << got.var << " (target "
                            << target_var << ")");
  CHECK(std::abs(got.mean - target_mean) < 5 * test::mean_standard_error(target_var, N) + 0.01 * target_mean);
  CHECK(std::abs(got.var - target_var) < 5 * test::var_standard_error(target_var, N) + 0.02 * target_var);
  // the probability-flow ODE, Euler on the same grid
  models::ode::OdeOptions euler;
  const Tensor y = sde::probability_flow_sample(d, score, prior, 999, euler, t_end);
  const test::SampleMoments ode_got = test::column_moments(y);
  INFO("PF-ODE: mean " << ode_got.mean << ", var " << ode_got.var);
  CHECK(std::abs(ode_got.mean - target_mean) < 5 * test::mean_standard_error(target_var, N) + 0.01 * target_mean);
  CHECK(std::abs(ode_got.var - target_var) < 5 * test::var_standard_error(target_var, N) + 0.02 * target_var);
}

TEST_CASE("DdpmVpSde: bad schedules are a dgm::Error", "[sde][ddpm_vp_sde]") {
  CHECK_THROWS_WITH(sde::DdpmVpSde(Tensor()), Catch::Contains("expected alphas_cumprod (T)"));
  CHECK_THROWS_WITH(sde::DdpmVpSde(tensor(std::vector<double>{0.9, 0.95}, {2})),
                    Catch::Contains("must decrease within (0, 1]") && Catch::Contains("0.95"));
  CHECK_THROWS_WITH(sde::DdpmVpSde(tensor(std::vector<double>{0.9, 0.0}, {2})), Catch::Contains("decrease"));
  CHECK_THROWS_AS(sde::DdpmVpSde(zeros({2, 2}, kFloat64)), Error);
}
