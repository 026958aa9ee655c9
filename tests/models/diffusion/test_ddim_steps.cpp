// DDIM with few steps and the steps-vs-FID evaluation (models/diffusion/ddim_steps.h).
//
// DDIM (eta 0) with the exact eps of Gaussian data N(mu, s^2) is an affine map of x_T, derived here by hand: with
// d_t = x_t - sqrt(abar_t) mu and v_t = abar_t s^2 + 1 - abar_t, E[x_0 | x_t] = mu + sqrt(abar_t) s^2 / v_t d_t and
// E[eps | x_t] = sqrt(1 - abar_t) / v_t d_t, so one step t -> s multiplies d by
//   f = (sqrt(abar_s abar_t) s^2 + sqrt((1 - abar_s)(1 - abar_t))) / v_t    (abar_s = 1 after the last step)
// and x_0 = mu + F (x_T - sqrt(abar_T) mu), F = prod f. By Cauchy-Schwarz f^2 v_t <= v_s, with equality only when
// s = 1: DDIM's samples are narrower than the data, more so with fewer steps. Measured in NumPy for mu = 1.5,
// s = 0.5, T = 1000: F / s - 1 = -15.8% at 10 steps, -3.1% at 50, -1.5% at 100, -0.16% at 1000; the mean is exact
// to 4e-5. The tests check the sampler against this map, then the error it implies against those numbers.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "../../helpers.h"
#include "cosine_schedule_reference.h"
#include "models/diffusion/ddim_steps.h"
#include "models/diffusion/samplers.h"
#include "models/eval/classifier.h"
#include "tensor/factories.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;
namespace fs = std::filesystem;

namespace {

using dgm::test::abar_reference;

// eps(x_t) of N(mu, s^2) data: sqrt(1 - abar_t) (x - sqrt(abar_t) mu) / v_t
Tensor gaussian_eps(const Tensor& x, const Tensor& t, const std::vector<double>& abar, double mu, double s) {
  const double ab = abar[static_cast<size_t>(t.to_vector<int64_t>()[0])], v = ab * s * s + 1 - ab;
  return (x - std::sqrt(ab) * mu) * (std::sqrt(1 - ab) / v);
}

// F of the header for `timesteps` (descending)
double ddim_gain(const std::vector<double>& abar, const std::vector<int64_t>& ts, double s) {
  double F = 1;
  for (size_t i = 0; i < ts.size(); ++i) {
    const double a_t = abar[static_cast<size_t>(ts[i])];
    const double a_s = i + 1 < ts.size() ? abar[static_cast<size_t>(ts[i + 1])] : 1.0;
    F *= (std::sqrt(a_s * a_t) * s * s + std::sqrt((1 - a_s) * (1 - a_t))) / (a_t * s * s + 1 - a_t);
  }
  return F;
}

}  // namespace

TEST_CASE("DDIM eta 0 with the exact eps of a Gaussian is the affine map derived by hand", "[diffusion][ddim_steps]") {
  constexpr int T = 1000;
  const double mu = 1.5, s = 0.5;
  const std::vector<double> abar = abar_reference(T);
  const diffusion::BaseDiffusion schedule(T);
  const diffusion::EpsFn eps = [&](const Tensor& x, const Tensor& t) { return gaussian_eps(x, t, abar, mu, s); };
  // in float64, so that the check is of the algebra: x0^ divides by sqrt(abar_{T-1}) = 5e-5, which turns float32's
  // rounding into about 2e-5 at the end
  const Tensor x_T = linspace(-3, 3, 7, kFloat64).unsqueeze(1);
  const std::vector<double> xs = x_T.to_vector<double>();
  for (int64_t steps : {1000, 100, 50, 10}) {
    INFO("steps " << steps);
    const std::vector<int64_t> ts = diffusion::strided_timesteps(T, steps);
    const double F = ddim_gain(abar, ts, s), a_T = std::sqrt(abar[static_cast<size_t>(ts[0])]);
    const std::vector<double> out = diffusion::ddim_sample_loop(schedule, eps, x_T, ts, 0.0).to_vector<double>();
    for (size_t i = 0; i < xs.size(); ++i) CHECK(out[i] == Approx(mu + F * (xs[i] - a_T * mu)).margin(1e-9));
    // the distribution of the samples: N(mu - F a_T mu, F^2); its error against N(mu, s^2), bounded by the
    // NumPy numbers of the header (each bound is the measured error plus 10% of it)
    CHECK(std::abs(F * a_T * mu) < 1e-4);
    const double rel = F / s - 1;
    if (steps == 1000) CHECK((rel < 0 && rel > -0.0018));
    if (steps == 100) CHECK((rel < 0 && rel > -0.017));
    if (steps == 50) CHECK((rel < 0 && rel > -0.034));
    if (steps == 10) CHECK((rel < 0 && rel > -0.174));
  }
}

TEST_CASE("DDIM eta 0, 10 steps, on random x_T: the mean and spread of the affine map, and deterministic",
          "[diffusion][ddim_steps]") {
  constexpr int T = 1000;
  constexpr int64_t N = 20000;
  const double mu = 1.5, s = 0.5;
  const std::vector<double> abar = abar_reference(T);
  const diffusion::BaseDiffusion schedule(T);
  const diffusion::EpsFn eps = [&](const Tensor& x, const Tensor& t) { return gaussian_eps(x, t, abar, mu, s); };
  const std::vector<int64_t> ts = diffusion::strided_timesteps(T, 10);
  Generator gen(7);
  const Tensor x_T = randn({N, 1}, kFloat32, &gen);
  Generator g1(1), g2(2);
  const Tensor a = diffusion::ddim_sample_loop(schedule, eps, x_T, ts, 0.0, std::nullopt, &g1);
  const Tensor b = diffusion::ddim_sample_loop(schedule, eps, x_T, ts, 0.0, std::nullopt, &g2);
  CHECK((a - b).abs().max().item() == 0);  // eta 0: no draws, whatever the generator
  const std::vector<double> v = a.to_vector<double>();
  double mean = 0, var = 0;
  for (double e : v) mean += e / N;
  for (double e : v) var += (e - mean) * (e - mean) / (N - 1);
  const double F = ddim_gain(abar, ts, s);
  // 4 standard errors of N draws: F / sqrt(N) for the mean, F^2 sqrt(2 / (N - 1)) for the variance
  CHECK(std::abs(mean - mu) < 4 * F / std::sqrt(double(N)));
  CHECK(std::abs(var - F * F) < 4 * F * F * std::sqrt(2.0 / (N - 1)));
}

TEST_CASE("capped_steps: at most T, repeats dropped, order kept", "[diffusion][ddim_steps]") {
  CHECK(diffusion::capped_steps({1000, 250, 100, 50, 20, 10}, 100) == std::vector<int64_t>{100, 50, 20, 10});
  CHECK(diffusion::capped_steps({10, 1000}, 1000) == std::vector<int64_t>{10, 1000});
  CHECK_THROWS_WITH(diffusion::capped_steps({10, 0}, 100), Catch::Contains("must be >= 1, got 0"));
  CHECK_THROWS_WITH(diffusion::capped_steps({}, 100), Catch::Contains("at least one step count"));
}

namespace {

// A stand-in image DDPM: the exact eps of images whose pixels are independent N(0, 0.5^2) in model space, T = 100.
class GaussianImages : public diffusion::DiffusionModel {
 public:
  GaussianImages() : reverse(100), abar(abar_reference(100)) {}
  Tensor predict_eps(const Tensor& x_t, const Tensor& t, const Tensor&) override {
    return gaussian_eps(x_t, t, abar, 0.0, 0.5);
  }
  const diffusion::ReverseDiffusion& reverse_diffusion() const override { return reverse; }
  Shape example_shape() const override { return {1, 32, 32}; }
  Tensor to_output(const Tensor& x) const override { return (x / 2 + 0.5).clamp(0.0, 1.0); }
  models::Losses loss(const models::Batch&) override { return {}; }
  Tensor sample(int64_t, const models::SampleOptions&) override { return {}; }

  diffusion::ReverseDiffusion reverse;
  std::vector<double> abar;
};

}  // namespace

TEST_CASE("ddim_steps_fid on a stand-in model: one FID per capped step count, the pictures and the JSON",
          "[diffusion][ddim_steps]") {
  GaussianImages model;
  models::eval::FeatureNetwork net;
  manual_seed(1);
  net.classifier = std::make_shared<models::eval::Classifier>(8, 16, 32, 10, 0.0);  // untrained: features all the same
  net.classifier->eval();
  net.name = "stand-in features";
  const Tensor test_x = test::uniform_values({40, 1, 28, 28}, 0, 1, 3).to(kFloat32);
  const Tensor train_x = test::uniform_values({40, 1, 28, 28}, 0, 1, 4).to(kFloat32);
  diffusion::DdimStepsOptions o;
  o.steps = {1000, 50, 10};
  o.n = 20;
  o.chunk = 8;
  o.row = 5;
  const diffusion::DdimStepsReport r = diffusion::ddim_steps_fid(model, net, test_x, train_x, o);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.num_timesteps == 100);
  CHECK(r.rows[0].steps == 100);  // 1000 capped at T
  CHECK(r.rows[1].steps == 50);
  CHECK(r.rows[2].steps == 10);
  for (const auto& row : r.rows) {
    CHECK(std::isfinite(row.fid));
    CHECK(row.fid >= 0);
    CHECK(row.seconds_per_image > 0);
  }
  CHECK(std::isfinite(r.floor_fid));
  CHECK(r.sample_rows.shape() == Shape{15, 1, 32, 32});
  CHECK(r.sample_rows.min().item() >= 0);
  CHECK(r.sample_rows.max().item() <= 1);
  // eta 0 and the same seed: the same FIDs again
  const diffusion::DdimStepsReport again = diffusion::ddim_steps_fid(model, net, test_x, train_x, o);
  CHECK(again.rows[2].fid == r.rows[2].fid);

  const fs::path dir = fs::temp_directory_path() / "dgm_test_ddim_steps";
  fs::remove_all(dir);
  fs::create_directories(dir);
  diffusion::save_ddim_steps(dir.string(), r);
  CHECK(fs::file_size(dir / "ddim_steps.png") > 0);
  CHECK(fs::file_size(dir / "ddim_steps_samples.png") > 0);
  std::ifstream in(dir / "ddim_steps.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["rows"].size() == 3);
  CHECK(j["rows"][0]["steps"] == 100);
  CHECK(j["rows"][2]["fid"].get<double>() == r.rows[2].fid);
  CHECK(j["n"] == 20);
  fs::remove_all(dir);

  o.eta = 2;
  CHECK_THROWS_WITH(diffusion::ddim_steps_fid(model, net, test_x, train_x, o),
                    Catch::Contains("eta must be in [0, 1]"));
}
