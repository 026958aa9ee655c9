// The "stylegan" spec through the training path, small: 2 epochs on a fake MNIST (written here; the real files need
// not be present), its pictures, and a run stopped after one epoch and resumed ending bit-identical to the straight
// run. A test copy of the spec with a short schedule (stage 1 step, fade 2 steps) grows 4 -> 8 -> 16 within the
// 6 steps, so the resume crosses a fade-in: the schedule's step is model state in the checkpoint.
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>

#include "dgm.h"
#include "models/gan/stylegan.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

// "stylegan-grow-test": the stylegan spec with tiny networks and a schedule of 1 stable and 2 fade steps per stage.
void register_growing_copy() {
  static std::once_flag once;
  std::call_once(once, [] {
    ModelSpec s = find_model("stylegan");
    s.name = "stylegan-grow-test";
    s.make = [](const MakeContext&) {
      gan::StyleGANOptions o;
      o.generator.z_dim = 4;
      o.generator.map_hidden_dim = 8;
      o.generator.w_dim = 4;
      o.generator.channels = {4, 4, 3, 2};
      o.generator.image_channels = 1;
      o.discriminator_channels = {4, 4, 3, 2};
      o.schedule.stage_steps = 1;
      o.schedule.fade_steps = 2;
      o.w_mean_draws = 64;
      return std::make_shared<gan::StyleGAN>(o);
    };
    registry().add(std::move(s));
  });
}

// test::train_and_resume of `model` with stylegan's losses and pictures. Returns the straight run's folder.
std::string train_and_resume(const std::string& model, const std::string& data_dir) {
  test::TrainedRun run =
      test::train_and_resume("stylegan_runs", model, {.data_dir = data_dir, .test_limit = 16, .samples = 8},
                             {"samples.png", "truncation.png", "noise.png"});
  INFO(model);
  test::require_test_keys(run, {"discriminator_loss", "generator_loss", "r1", "resolution", "alpha"});
  return run.dir;
}

}  // namespace

TEST_CASE("stylegan trains, grows, draws its pictures and resumes bit-identically", "[gan][stylegan][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fake_image_data("stylegan_runs", 48, 16);
  register_growing_copy();

  fs::remove_all(train_and_resume("stylegan", data_dir));

  const std::string grown = train_and_resume("stylegan-grow-test", data_dir);
  train::RestoredRun restored = train::restore_run(grown, Device(kCPU));
  auto* model = dynamic_cast<gan::StyleGAN*>(restored.model.get());
  REQUIRE(model != nullptr);
  // 6 steps (3 per epoch) taken: 0 at 4x4, 1-2 fade into 8x8, 3 stable, 4-5 fade into 16x16 (alpha 1/2, 1); the next,
  // step 6, is stage 2 stable: alpha 1 (hand count from the schedule)
  CHECK(model->step() == 6);
  CHECK(model->progress().stage == 2);
  CHECK(model->progress().alpha == 1.0);
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 32, 32});
  for (double v : images.to_vector<double>()) REQUIRE((v >= 0 && v <= 1));
  Generator gen(1);
  CHECK(model->generate_truncated(2, 0.7, &gen, 1.0).shape() == Shape{2, 1, 32, 32});
  fs::remove_all(grown);
  fs::remove_all(data_dir);
}

TEST_CASE("stylegan's train_step updates the step buffer and both networks", "[gan][stylegan]") {
  manual_seed(6);
  gan::StyleGANOptions o;
  o.generator.z_dim = 4;
  o.generator.map_hidden_dim = 8;
  o.generator.w_dim = 4;
  o.generator.channels = {4, 3};
  o.generator.image_channels = 1;
  o.discriminator_channels = {4, 3};
  o.schedule.stages = 2;
  o.schedule.stage_steps = 1;
  o.schedule.fade_steps = 2;
  o.critic_steps = 2;
  auto model = std::make_shared<gan::StyleGAN>(o);
  train::OptimizerSpec adam;
  adam.beta1 = 0;
  adam.beta2 = 0.9;
  train::Optimizers opt(model->optimizer_groups(), {{"generator", adam}, {"discriminator", adam}});
  Tensor x = rand({4, 1, 8, 8}) * 2.0 - 1.0;
  std::vector<double> g0 = model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>();
  std::vector<double> d0 = model->discriminator->linear->weight.to_vector<double>();
  // call 1 (stage 0): the discriminator only (critic_steps 2); call 2 (stage 1, alpha 1/2): both
  Losses first = model->train_step(Batch(x), opt);
  CHECK(first.count("generator_loss") == 0);
  CHECK(first.at("resolution").item<double>() == 4);
  CHECK(model->discriminator->linear->weight.to_vector<double>() != d0);
  CHECK(model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>() == g0);
  Losses second = model->train_step(Batch(x), opt);
  CHECK(second.count("generator_loss") == 1);
  CHECK(second.at("resolution").item<double>() == 8);
  CHECK(second.at("alpha").item<double>() == 0.5);
  CHECK(model->generator->to_rgb->at<nn::Conv2d>(0)->weight.to_vector<double>() != g0);
  CHECK(model->step() == 2);
  CHECK(opt.steps("discriminator") == 2);
  CHECK(opt.steps("generator") == 1);
  CHECK_THROWS_WITH(model->train_step(Batch(rand({4, 1, 4, 4})), opt),
                    Catch::Contains("StyleGAN: expected real images (B, 1, 8, 8), got (4,1,4,4)"));
}
