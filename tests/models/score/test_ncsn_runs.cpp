// The NCSNs through the training path, small: ncsn-mnist on a fake MNIST (written here) in [-1, 1] and ncsn-2d on
// a few hundred gmm2d points train 2 epochs, draw their pictures (samples and the trajectory over the sigmas; the
// 2-D one also the learned score per level) and a run stopped after one epoch and resumed ends bit-identical.
// The restored image model generates images in [0, 1]; the 2-D one logs the mode weights (shares in [0, 1]).
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/score/ncsn.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("ncsn-mnist trains on images in [-1, 1], draws samples and a trajectory, resumes bit-identically",
          "[score][ncsn][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("ncsn_runs", 32, 8);
  const ModelSpec& spec = find_model("ncsn-mnist");
  CHECK(spec.prepare(full({1, 1, 28, 28}, 255.0)).min().item() == Approx(1.0));
  CHECK(spec.prepare(zeros({1, 1, 28, 28})).max().item() == Approx(-1.0));
  const test::TrainedRun run = test::train_and_resume(
      "ncsn_runs", "ncsn-mnist",
      {.data_dir = data_dir, .limit = 32, .test_limit = 8, .batch_size = 16, .samples = 2, .resumed_samples = false},
      {"samples.png", "trajectory.png"});
  test::require_test_keys(run, {"total_loss", "normalized_loss"});
  train::RestoredRun restored = train::restore_run(run.dir, Device(kCPU));
  SampleOptions options;
  options.steps = 1;  // one Langevin step per level: the shape and range, fast
  const Tensor images = restored.model->generate(2, options);
  REQUIRE(images.shape() == Shape{2, 1, 28, 28});
  CHECK(images.min().item() >= 0.0);
  CHECK(images.max().item() <= 1.0);
  fs::remove_all(run.dir);
  fs::remove_all(data_dir);
}

TEST_CASE("ncsn-2d trains on gmm2d, draws the score per level, logs the mode weights, resumes bit-identically",
          "[score][ncsn][train]") {
  test::OneThread one;
  const test::TrainedRun run = test::train_and_resume(
      "ncsn_runs", "ncsn-2d",
      {.limit = 256, .test_limit = 16, .batch_size = 64, .samples = 16, .resumed_samples = false},
      {"samples.png", "trajectory.png", "scores.png"});
  test::require_test_keys(run, {"total_loss", "normalized_loss", "mode_weight", "mode_weight_plain"});
  for (const char* key : {"mode_weight", "mode_weight_plain"}) {
    CHECK(run.result.test.at(key) >= 0);
    CHECK(run.result.test.at(key) <= 1);
  }
  fs::remove_all(run.dir);
}
