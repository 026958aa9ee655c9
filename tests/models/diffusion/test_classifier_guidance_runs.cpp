// ddpm-mnist-classifier through the training path, small: a ddpm-mnist parent trained on a fake MNIST (written
// here), then the noisy classifier from it (--from) trains two epochs with its pictures, and a run stopped after one
// epoch and resumed ends bit-identical; the restored run samples guided digits of the asked classes in [0, 1].
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/diffusion/classifier_guided_ddpm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("ddpm-mnist-classifier trains from a ddpm-mnist run, draws its pictures and resumes bit-identically",
          "[diffusion][guidance][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("classifier_guidance_runs", 16, 4);
  const test::SmallRun small{
      .data_dir = data_dir, .limit = 16, .test_limit = 4, .batch_size = 16, .samples = 0, .resumed_samples = false};
  const std::string parent_dir = (fs::temp_directory_path() / "dgm_classifier_guidance_parent").string();
  fs::remove_all(parent_dir);
  train::train_run(test::small_run("ddpm-mnist", parent_dir, small));

  test::SmallRun second = small;
  second.from = parent_dir;
  second.samples = 2;
  const test::TrainedRun run = test::train_and_resume("classifier_guidance_runs", "ddpm-mnist-classifier", second,
                                                      {"samples.png", "guidance.png"});
  test::require_test_keys(run, {"loss", "accuracy"});
  // the checkpoint holds the classifier only; the parent is restored from its own run
  int64_t weights = 0;
  for (const auto& [key, value] : run.checkpoint)
    if (key.rfind("model.", 0) == 0) {
      INFO(key);
      CHECK(key.rfind("model.classifier.", 0) == 0);
      ++weights;
    }
  CHECK(weights > 0);
  train::RestoredRun restored = train::restore_run(run.dir, Device(kCPU));
  REQUIRE(dynamic_cast<diffusion::ClassifierGuidedDDPM*>(restored.model.get()));
  SampleOptions options;
  options.labels = tensor(std::vector<int64_t>{1, 7});
  options.guidance = 3;
  options.steps = 3;
  Generator gen(4);
  options.gen = &gen;
  const Tensor images = restored.model->generate(2, options);
  REQUIRE(images.shape() == Shape{2, 1, 32, 32});
  CHECK(images.min().item() >= 0);
  CHECK(images.max().item() <= 1);
  fs::remove_all(run.dir);
  fs::remove_all(parent_dir);
  fs::remove_all(data_dir);
}
