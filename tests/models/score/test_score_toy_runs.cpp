// langevin-gmm, dsm-moons and denoiser-mnist through the training path, small: 2 epochs (on a few hundred toy
// points, or on a fake MNIST written here), finite test losses with their keys, the pictures, and a run stopped
// after one epoch and resumed ends bit-identical to the straight run.
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("langevin-gmm and dsm-moons train, draw their pictures and resume bit-identically", "[score][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  {
    const test::TrainedRun run = test::train_and_resume(
        "score_toy_runs", "langevin-gmm", {.limit = 64, .test_limit = 32, .batch_size = 32, .samples = 16},
        {"samples.png", "score.png", "trajectory.png"});
    test::require_test_keys(run, {"nll", "mode_weight", "true_mode_weight"});
    CHECK(run.result.test.at("true_mode_weight") == Approx(0.9));
    // the data's NLL is near the mixture's entropy, H(0.1, 0.9) + 1 + log(2 pi) = 3.16 nats (32 points: loose)
    CHECK(run.result.test.at("nll") > 2.0);
    CHECK(run.result.test.at("nll") < 4.5);
    fs::remove_all(run.dir);
  }
  {
    const test::TrainedRun run = test::train_and_resume(
        "score_toy_runs", "dsm-moons", {.limit = 128, .test_limit = 64, .batch_size = 32, .samples = 16},
        {"samples.png", "score.png"});
    test::require_test_keys(run, {"total_loss"});
    fs::remove_all(run.dir);
  }
}

TEST_CASE("denoiser-mnist trains on [0, 1] images, draws samples and a trajectory, and resumes bit-identically",
          "[score][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("denoiser_runs", 32, 16);
  const ModelSpec& spec = find_model("denoiser-mnist");
  CHECK(spec.prepare(full({1, 1, 28, 28}, 255.0)).min().item() == Approx(1.0));
  const test::TrainedRun run =
      test::train_and_resume("denoiser_runs", "denoiser-mnist",
                             {.data_dir = data_dir, .limit = 32, .test_limit = 16, .batch_size = 16, .samples = 4},
                             {"samples.png", "trajectory.png"});
  test::require_test_keys(run, {"loss"});
  fs::remove_all(run.dir);
}
