// The 2-D DDPM of homework 5 task 2 (models/diffusion/ddpm.h) beyond the graded checks of
// tests/course/test_hw5_ddpm2d.cpp: DDIM through SampleOptions::steps, the chamfer metric against hand-computed
// distances, the errors, and `dgm train ddpm-moons` end to end (pictures, resume bit-identical).
#include <filesystem>

#include "../../helpers.h"
#include "models/diffusion/ddpm.h"
#include "models/diffusion/samplers.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<diffusion::DDPM> small_ddpm(int64_t T) {
  manual_seed(3);
  return std::make_shared<diffusion::DDPM>(T, std::make_shared<diffusion::ConditionalMLP>(2, T, 16));
}

}  // namespace

TEST_CASE("DDPM 2-D: steps < T samples with DDIM (eta 0) on the strided timesteps", "[diffusion][ddpm2d]") {
  auto ddpm = small_ddpm(20);
  ddpm->eval();
  models::SampleOptions a, b;
  Generator ga(1), gb(2);
  a.gen = &ga;
  b.gen = &gb;
  a.steps = b.steps = 5;
  const Tensor xa = ddpm->sample(64, a);
  REQUIRE(xa.shape() == Shape{64, 2});
  // the same as ddim_sample_loop from the same prior draw
  Generator gc(1);
  const Tensor x_T = randn({64, 2}, &gc);
  const diffusion::EpsFn eps = [&](const Tensor& x, const Tensor& t) { return ddpm->predict_eps(x, t); };
  const Tensor ref =
      diffusion::ddim_sample_loop(ddpm->reverse_diffusion(), eps, x_T, diffusion::strided_timesteps(20, 5), 0.0);
  CHECK(xa.to_vector<float>() == ref.to_vector<float>());
  // deterministic given x_T: only the prior depends on the generator
  CHECK(xa.to_vector<float>() != ddpm->sample(64, b).to_vector<float>());
  Generator gd(1);
  a.gen = &gd;
  CHECK(xa.to_vector<float>() == ddpm->sample(64, a).to_vector<float>());
  // steps = T (or 0) is the ancestral sampler, the same as ddpm_sample_loop
  Generator ge(4), gf(4);
  models::SampleOptions all(&ge);
  all.steps = 20;
  const Tensor anc = ddpm->sample(32, all);
  const Tensor prior = randn({32, 2}, &gf);
  CHECK(anc.to_vector<float>() ==
        diffusion::ddpm_sample_loop(ddpm->reverse_diffusion(), eps, prior, &gf).to_vector<float>());
  CHECK(ddpm->sample_options() == std::vector<std::string>{"steps"});
}

TEST_CASE("DDPM 2-D: chamfer_distance against hand-computed nearest neighbours", "[diffusion][ddpm2d]") {
  // a = {(0,0), (3,0)}, b = {(0,1), (0,2), (4,0)}: a -> b: 1 (to (0,1)) and 1 (to (4,0)), mean 1;
  // b -> a: 1, 2, 1, mean 4/3; chamfer 7/3
  const Tensor a = tensor(std::vector<float>{0, 0, 3, 0}, {2, 2});
  const Tensor b = tensor(std::vector<float>{0, 1, 0, 2, 4, 0}, {3, 2});
  CHECK(diffusion::chamfer_distance(a, b).item<double>() == Approx(7.0 / 3).epsilon(1e-6));
  CHECK(diffusion::chamfer_distance(b, a).item<double>() == Approx(7.0 / 3).epsilon(1e-6));
  CHECK(diffusion::chamfer_distance(a, a).item<double>() == 0);
  CHECK_THROWS_WITH(
      diffusion::chamfer_distance(a, zeros({3, 3})),
      Catch::Contains("chamfer_distance: expected non-empty point sets (n, D) and (m, D), got (2,2) and (3,3)"));
}

TEST_CASE("DDPM 2-D: bad input is refused with the operation's name", "[diffusion][ddpm2d]") {
  CHECK_THROWS_WITH(diffusion::DDPM(10, std::make_shared<diffusion::ConditionalMLP>(2, 20)),
                    Catch::Contains("DDPM: the noise predictor embeds 20 timesteps, but the diffusion has 10"));
  CHECK_THROWS_WITH(diffusion::ConditionalMLP(2, 0), Catch::Contains("ConditionalMLP: expected positive"));
  auto ddpm = small_ddpm(10);
  CHECK_THROWS_WITH(ddpm->loss(zeros({4, 3})), Catch::Contains("DDPM::simple_loss: expected points (B, 2), got (4,3)"));
  CHECK_THROWS_WITH(ddpm->simple_loss(zeros({4, 2}), zeros({4}, kInt64), zeros({4, 1})),
                    Catch::Contains("DDPM::simple_loss: noise (4,1) must have x0's shape (4,2)"));
  CHECK_THROWS_WITH(ddpm->simple_loss(zeros({4, 2}), full({4}, 10.0, kInt64), zeros({4, 2})),
                    Catch::Contains("timesteps must be in [0, 10), got [10, 10]"));
  CHECK_THROWS_WITH(
      ddpm->model->forward(zeros({4, 2}), zeros({4})),
      Catch::Contains("ConditionalMLP: expected x (B, 2) and t (B) int64, got x (4,2) and t (4) float32"));
  models::SampleOptions too_many;
  too_many.steps = 11;
  CHECK_THROWS_WITH(ddpm->sample(4, too_many), Catch::Contains("DDPM::sample: steps must be in [0, 10]"));
  models::SampleOptions labels;
  labels.labels = zeros({4}, kInt64);
  CHECK_THROWS_WITH(ddpm->sample(4, labels), Catch::Contains("DDPM::sample: the 2-D DDPM is unconditional"));
  CHECK_THROWS_WITH(ddpm->predict_eps(zeros({4, 2}), zeros({4}, kInt64), zeros({4}, kInt64)),
                    Catch::Contains("DDPM::predict_eps: the 2-D DDPM is unconditional"));
}

TEST_CASE("ddpm-moons trains, draws its pictures, reports chamfer and resumes bit-identically",
          "[diffusion][ddpm2d][train]") {
  test::OneThread one;
  const test::TrainedRun run = test::train_and_resume("ddpm2d_runs", "ddpm-moons",
                                                      {.limit = 256, .test_limit = 64, .batch_size = 64, .samples = 64},
                                                      {"samples.png", "forward.png", "trajectory.png"});
  test::require_test_keys(run, {"loss", "chamfer"});
  CHECK(run.result.test.at("chamfer") > 0);
  fs::remove_all(run.dir);
}

TEST_CASE("DDPM 2-D: clip_range bounds the samples of both samplers", "[diffusion][ddpm2d]") {
  // the last step of either sampler returns x0^ (DDPM: beta~_0 = 0 and mu~_0 = x0^; DDIM: abar_s = 1), clamped
  manual_seed(3);
  diffusion::DDPM ddpm(20, std::make_shared<diffusion::ConditionalMLP>(2, 20, 16), std::make_pair(-0.5, 0.25));
  REQUIRE(ddpm.reverse_diffusion().clip_range.has_value());
  Generator gen(8);
  models::SampleOptions ddim(&gen);
  ddim.steps = 4;
  for (const Tensor& x : {ddpm.sample(256, &gen), ddpm.sample(256, ddim)}) {
    CHECK(x.min().item<float>() >= -0.5f);
    CHECK(x.max().item<float>() <= 0.25f);
  }
}
