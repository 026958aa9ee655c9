// sngan-mnist (models/gan/sn_dcgan.h) through the training path on a fake MNIST (written here): 2 epochs, finite
// test losses, samples.png, generate() in [0, 1] at 32x32, every critic layer spectrally normalized, and a run
// stopped after one epoch and resumed ends bit-identical to the straight run (the u, v buffers included).
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/gan/sn_dcgan.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/modules/spectral_norm.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("sngan-mnist trains, draws samples in [0, 1] and resumes bit-identically", "[gan][spectral][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("gan_sngan_runs", 32, 16);
  const test::TrainedRun run = test::train_and_resume(
      "gan_sngan_runs", "sngan-mnist", {.data_dir = data_dir, .limit = 32, .test_limit = 16, .resumed_samples = false});
  test::require_test_keys(run, {"critic_loss", "generator_loss"});
  CHECK(run.checkpoint.count("model.critic.0.weight_u") + run.checkpoint.count("critic.0.weight_u") == 1);
  train::RestoredRun restored = train::restore_run(run.dir, Device(kCPU));
  Tensor images = restored.model->generate(3);
  REQUIRE(images.shape() == Shape{3, 1, 32, 32});
  for (double v : images.to_vector<double>()) REQUIRE((v >= 0 && v <= 1));
  fs::remove_all(run.dir);
  fs::remove_all(data_dir);
}

TEST_CASE("SNDCGAN's critic is spectrally normalized throughout and maps 32x32 images to one score",
          "[gan][spectral]") {
  manual_seed(3);
  gan::SNDCGAN model(1, 4, 8);
  int64_t normalized = 0;
  for (const auto& m : model.critic->modules())
    normalized += std::dynamic_pointer_cast<nn::SpectralNormConv2d>(m) != nullptr ||
                  std::dynamic_pointer_cast<nn::SpectralNormLinear>(m) != nullptr;
  CHECK(normalized == 4);  // 3 convolutions and the last linear layer
  CHECK(model.critic_forward(zeros({2, 1, 32, 32})).shape() == Shape{2});
  CHECK(model.sample(2).shape() == Shape{2, 1, 32, 32});
  CHECK_THROWS_WITH(model.loss(Batch(zeros({2, 1, 28, 28}))), Catch::Contains("SNDCGAN::loss: expected images"));
}
