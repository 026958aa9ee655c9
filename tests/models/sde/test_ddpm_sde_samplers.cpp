// The score SDE samplers on a 2-D DDPM (models/sde/ddpm_sde_samplers.h): the wiring (the reverse SDE and the PF-ODE
// of the DDPM's schedule and noise predictor, from the prior draw), nothing trained, and `dgm train sde-ddpm-moons
// --from` a small ddpm-moons run end to end (chamfer keys of every sampler, pictures, resume bit-identical).
#include <filesystem>

#include "../../helpers.h"
#include "models/sde/ddpm_sde_samplers.h"
#include "models/train/optimizers.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
namespace sde = dgm::models::sde;
namespace diffusion = dgm::models::diffusion;
namespace fs = std::filesystem;

TEST_CASE("DdpmSdeSamplers: the samplers of the DDPM's VP SDE and score, from the prior draw", "[sde][ddpm_sde]") {
  manual_seed(2);
  auto ddpm = std::make_shared<diffusion::DDPM>(20, std::make_shared<diffusion::ConditionalMLP>(2, 20, 16));
  sde::DdpmSdeSamplers m(ddpm, 30);
  m.eval();
  CHECK(m.optimizer_groups().empty());
  CHECK(m.sde.num_timesteps() == 20);
  const sde::EpsFunction eps = [&](const Tensor& x, const Tensor& t) { return ddpm->predict_eps(x, t); };
  const sde::ScoreFunction score = sde::ddpm_score(eps, m.sde);
  Generator g1(1), g2(1);
  const Tensor x = m.sample(16, &g1);
  const Tensor prior = randn({16, 2}, &g2);
  CHECK(x.to_vector<float>() == sde::reverse_sde_sample(m.sde, score, prior, 30, 0.05, &g2).to_vector<float>());
  models::SampleOptions o(&g1);
  o.steps = 3;
  CHECK(m.sample(16, o).shape() == Shape{16, 2});
  Generator g3(4), g4(4);
  models::ode::OdeOptions rk4;
  rk4.method = models::ode::OdeMethod::rk4;
  const Tensor y = m.sample_ode(16, 5, rk4, &g3);
  CHECK(y.to_vector<float>() ==
        sde::probability_flow_sample(m.sde, score, randn({16, 2}, &g4), 5, rk4, 0.05).to_vector<float>());
  CHECK_THROWS_WITH(sde::DdpmSdeSamplers(nullptr), Catch::Contains("needs a trained DDPM"));
  models::SampleOptions neg;
  neg.steps = -2;
  CHECK_THROWS_WITH(m.sample(4, neg), Catch::Contains("steps must be >= 0"));
}

TEST_CASE("sde-ddpm-moons runs from a ddpm-moons run, reports every sampler's chamfer and resumes bit-identically",
          "[sde][ddpm_sde][train]") {
  test::OneThread one;
  const test::SmallRun small{.limit = 128, .test_limit = 32, .batch_size = 32, .samples = 0, .resumed_samples = false};
  const std::string parent_dir = (fs::temp_directory_path() / "dgm_sde_ddpm_parent").string();
  fs::remove_all(parent_dir);
  models::train::train_run(test::small_run("ddpm-moons", parent_dir, small));
  test::SmallRun second = small;
  second.from = parent_dir;
  second.samples = 16;
  const test::TrainedRun run =
      test::train_and_resume("sde_ddpm_runs", "sde-ddpm-moons", second, {"samples.png", "samplers.png"});
  test::require_test_keys(run, {"loss", "chamfer_ddpm_100", "chamfer_ddim_10", "chamfer_ddim_50", "chamfer_sde_20",
                                "chamfer_sde_500", "chamfer_ode_euler_10", "chamfer_ode_rk4_25"});
  fs::remove_all(run.dir);
  fs::remove_all(parent_dir);
}
