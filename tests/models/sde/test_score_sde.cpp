// The VE and VP SDEs (models/sde/score_sde.h): their closed forms against the formulas written independently in
// gaussian_data_sde.h and hand values, the moment equations that tie drift and diffusion to the transition kernel
// (float64 finite differences), the forward process, the prior, and the errors.
#include <cmath>

#include "../../helpers.h"
#include "models/sde/score_sde.h"
#include "tests/models/sde/gaussian_data_sde.h"
#include "tests/models/sde/sample_moments.h"

using namespace dgm;
namespace sde = dgm::models::sde;

TEST_CASE("VESDE and VPSDE: kernel mean and std against the formulas and hand values", "[sde][score_sde]") {
  const sde::VESDE ve(0.01, 50);
  const sde::VPSDE vp(0.1, 20);
  const test::GaussianDataSde ref_ve{"ve", 0.01, 50, 0, 0}, ref_vp{"vp", 0.1, 20, 0, 0};
  for (double t : {0.0, 1e-3, 0.1, 0.37, 0.5, 0.9, 1.0}) {
    INFO("t = " << t);
    CHECK(ve.mean_coeff(t) == 1.0);
    CHECK(ve.marginal_std(t) == Approx(std::sqrt(ref_ve.std2(t))).epsilon(1e-12).margin(1e-15));
    CHECK(ve.diffusion(t) == Approx(std::sqrt(ref_ve.g2(t))).epsilon(1e-12));
    CHECK(vp.mean_coeff(t) == Approx(ref_vp.c(t)).epsilon(1e-12));
    CHECK(vp.marginal_std(t) == Approx(std::sqrt(ref_vp.std2(t))).epsilon(1e-9).margin(1e-15));
    CHECK(vp.diffusion(t) == Approx(std::sqrt(ref_vp.g2(t))).epsilon(1e-12));
  }
  // by hand: sigma(1) = 50, sigma(0) = 0.01, sigma(1/2) = sqrt(0.5) = 0.70711; VP B(1) = 0.1 + 19.9 / 2 = 10.05,
  // e^{-5.025} = 0.0065716, B(0.5) = 0.05 + 2.4875 = 2.5375, std = sqrt(1 - e^{-2.5375}) = 0.959654 (Python's math)
  CHECK(ve.sigma(1) == Approx(50).epsilon(1e-12));
  CHECK(ve.sigma(0) == Approx(0.01).epsilon(1e-12));
  CHECK(ve.sigma(0.5) == Approx(0.707107).epsilon(1e-6));
  CHECK(ve.marginal_std(0) == 0.0);
  CHECK(vp.integrated_beta(1) == Approx(10.05).epsilon(1e-12));
  CHECK(vp.mean_coeff(1.0) == Approx(0.0065716).epsilon(1e-4));
  CHECK(vp.marginal_std(0.5) == Approx(0.959654).epsilon(1e-5));
  CHECK(vp.marginal_std(0) == 0.0);
  CHECK(ve.prior_std() == 50);
  CHECK(vp.prior_std() == 1);
  CHECK(ve.name() == "VESDE(sigma_min=0.01, sigma_max=50)");
  CHECK(vp.name() == "VPSDE(beta_min=0.1, beta_max=20)");
}

TEST_CASE("VESDE and VPSDE: the kernel solves the SDE's moment equations (finite differences)", "[sde][score_sde]") {
  // For dx = a(t) x dt + g(t) dw the kernel's mean coefficient and variance obey c' = a c and
  // (std^2)' = 2 a std^2 + g^2;
  // a is read off the drift: f(x, t) = a(t) x at x = 1.
  const sde::VESDE ve(0.05, 8);
  const sde::VPSDE vp(0.5, 12);
  for (const sde::ScoreSde* s : {static_cast<const sde::ScoreSde*>(&ve), static_cast<const sde::ScoreSde*>(&vp)}) {
    for (double t : {0.05, 0.3, 0.6, 0.95}) {
      INFO(s->name() << ", t = " << t);
      const double h = 1e-6;
      const double a = s->drift(ones({1}, kFloat64), t).item<double>();
      const double dc = (s->mean_coeff(t + h) - s->mean_coeff(t - h)) / (2 * h);
      auto var = [&](double u) { return s->marginal_std(u) * s->marginal_std(u); };
      const double dvar = (var(t + h) - var(t - h)) / (2 * h);
      const double g = s->diffusion(t);
      CHECK(dc == Approx(a * s->mean_coeff(t)).epsilon(1e-6).margin(1e-9));
      CHECK(dvar == Approx(2 * a * var(t) + g * g).epsilon(1e-6));
    }
  }
}

TEST_CASE("VESDE and VPSDE: per-example kernels, perturb and the prior", "[sde][score_sde]") {
  const sde::VESDE ve(0.01, 10);
  const sde::VPSDE vp(0.1, 20);
  const Tensor t = tensor(std::vector<double>{0.0, 0.001, 0.25, 0.5, 1.0}, {5});
  for (const sde::ScoreSde* s : {static_cast<const sde::ScoreSde*>(&ve), static_cast<const sde::ScoreSde*>(&vp)}) {
    INFO(s->name());
    std::vector<double> c, sd;
    for (double u : t.to_vector<double>()) {
      c.push_back(s->mean_coeff(u));
      sd.push_back(s->marginal_std(u));
    }
    test::check_values(s->mean_coeff(t), c, 1e-12, 1e-10);
    test::check_values(s->marginal_std(t), sd, 1e-12, 1e-9);
    // float32 times: the same within float32 rounding (std at t = 0.001 is a difference of nearby numbers)
    test::check_values(s->marginal_std(t.to(kFloat32)), sd, 1e-5, 2e-3);
    // x_t = c(t) x0 + std(t) z, example by example
    const Tensor x0 = test::uniform_values({5, 3}, -2, 2, 7);
    const Tensor z = test::uniform_values({5, 3}, -1, 1, 8);
    const Tensor xt = s->perturb(x0, t, z);
    std::vector<double> expected;
    const auto xv = x0.to_vector<double>(), zv = z.to_vector<double>();
    for (int64_t i = 0; i < 15; ++i) expected.push_back(c[i / 3] * xv[i] + sd[i / 3] * zv[i]);
    test::check_values(xt, expected, 1e-12, 1e-10);
  }
  // prior N(0, prior_std^2): moments of 40000 draws within 5 standard errors
  Generator gen(3);
  const int64_t N = 40000;
  const test::SampleMoments m = test::column_moments(ve.prior_sample({N, 1}, kFloat64, &gen));
  CHECK(std::abs(m.mean) < 5 * test::mean_standard_error(100, N));
  CHECK(std::abs(m.var - 100) < 5 * test::var_standard_error(100, N));
}

TEST_CASE("VESDE and VPSDE: bad parameters and inputs are a dgm::Error", "[sde][score_sde]") {
  CHECK_THROWS_WITH(sde::VESDE(1, 0.5), Catch::Contains("VESDE") && Catch::Contains("sigma_max 0.5"));
  CHECK_THROWS_WITH(sde::VESDE(0, 1), Catch::Contains("0 < sigma_min < sigma_max"));
  CHECK_THROWS_WITH(sde::VPSDE(-0.1, 20), Catch::Contains("VPSDE") && Catch::Contains("beta_min -0.1"));
  CHECK_THROWS_WITH(sde::VPSDE(1, 0.5), Catch::Contains("beta_min <= beta_max"));
  CHECK_THROWS_WITH(sde::make_score_sde("subvp", 0.1, 20), Catch::Contains("unknown SDE 'subvp'"));
  CHECK(sde::make_score_sde("vp", 0.1, 20)->name() == "VPSDE(beta_min=0.1, beta_max=20)");
  const sde::VPSDE vp;
  CHECK_THROWS_WITH(vp.marginal_std(tensor(std::vector<int64_t>{1, 2}, {2})), Catch::Contains("VPSDE::marginal_std"));
  CHECK_THROWS_WITH(vp.perturb(zeros({3, 2}), zeros({2}), zeros({3, 2})),
                    Catch::Contains("perturb") && Catch::Contains("one t per example"));
  CHECK_THROWS_AS(vp.perturb(zeros({3, 2}), zeros({3}), zeros({3, 1})), Error);
}
