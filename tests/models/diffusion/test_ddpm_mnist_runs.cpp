// ddpm-mnist and ddpm-mnist-cfg through the training path, small: the unconditional DDPM trains two epochs on a
// fake MNIST (written here), draws its pictures (samples, the forward-noise demo, a sampling trajectory) and a run
// stopped after one epoch and resumed ends bit-identical; then the conditional fine-tune starts from that run
// (--from) with the parent's (EMA) weights, trains, resumes the same way and samples guided digits of the asked
// classes in [0, 1].
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/diffusion/conditional_ddpm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("ddpm-mnist and ddpm-mnist-cfg train, draw their pictures and resume bit-identically",
          "[unet][diffusion][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("ddpm_mnist_runs", 16, 4);
  const test::SmallRun small{
      .data_dir = data_dir, .limit = 16, .test_limit = 4, .batch_size = 16, .samples = 2, .resumed_samples = false};
  const std::string first = test::train_and_resume("ddpm_mnist_runs", "ddpm-mnist", small,
                                                   {"samples.png", "forward_noise.png", "trajectory.png"})
                                .dir;
  // the fine-tune is built from the restored parent: every UNet weight equal, a class embedding added
  train::RestoredRun parent = train::restore_run(first, Device(kCPU));
  auto cfg = find_model("ddpm-mnist-cfg").make(MakeContext{parent.model, "quick"});
  const nn::StateDict p = parent.model->state_dict(), c = cfg->state_dict();
  for (const auto& [k, v] : p) {
    INFO(k);
    REQUIRE(c.count(k) == 1);
    CHECK(c.at(k).sub(v).abs().max().item() == 0);
  }
  CHECK(c.size() > p.size());
  CHECK(cfg->num_classes() == 10);

  test::SmallRun second_run = small;
  second_run.from = first;
  const std::string second =
      test::train_and_resume("ddpm_mnist_runs", "ddpm-mnist-cfg", second_run, {"samples.png", "trajectory.png"}).dir;
  train::RestoredRun restored = train::restore_run(second, Device(kCPU));
  SampleOptions options;
  options.labels = tensor(std::vector<int64_t>{1, 7});
  options.guidance = 5;
  options.steps = 3;
  Generator gen(4);
  options.gen = &gen;
  const Tensor images = restored.model->generate(2, options);
  REQUIRE(images.shape() == Shape{2, 1, 32, 32});
  CHECK(images.min().item() >= 0);
  CHECK(images.max().item() <= 1);
  // the unconditional model refuses labels
  CHECK_THROWS_WITH(parent.model->generate(2, options), Catch::Contains("unconditional"));
  fs::remove_all(first);
  fs::remove_all(second);
  fs::remove_all(data_dir);
}
