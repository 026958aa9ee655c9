// The WGANs through the training path, small: wgan (clipping, RMSprop) and wgan-gp (Adam (0, 0.9), gradient
// penalty) train two epochs on a fake MNIST (written here; the real files need not be present) resized to 32x32
// in [-1, 1], draw their pictures (samples and the critic's weight histogram), and a run stopped after one epoch
// and resumed ends bit-identical to the straight run (the n_critic cycle is in the checkpoint). The clipped
// critic of the finished run has every weight in [-0.01, 0.01].
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/gan/wgan.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("wgan and wgan-gp train on 32x32 images in [-1, 1], draw their pictures and resume bit-identically",
          "[gan][wgan][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fake_image_data("wgan_runs", 48, 16);
  const ModelSpec& spec = find_model("wgan");
  Tensor prepared = spec.prepare(full({2, 1, 28, 28}, 255.0));
  CHECK(prepared.shape() == Shape{2, 1, 32, 32});
  CHECK(prepared.min().item() == Approx(1.0));  // 255 -> 1 (the range of the generator's tanh)
  CHECK(spec.prepare(zeros({1, 1, 28, 28})).max().item() == Approx(-1.0));

  for (const std::string model : {"wgan", "wgan-gp"}) {
    INFO(model);
    // 6 steps per epoch of 8: a generator step on calls 5, 10 (n_critic = 5), across the epochs
    const test::TrainedRun run =
        test::train_and_resume("wgan_runs", model, {.data_dir = data_dir, .test_limit = 16, .batch_size = 8},
                               {"samples.png", "critic_weights.png"});
    test::require_test_keys(run, {"critic_loss", "critic_loss_fake", "critic_loss_real", "generator_loss"});
    CHECK(run.result.test.count("gradient_penalty_loss") == (model == "wgan-gp" ? 1u : 0u));
    CHECK(run.checkpoint.at("model.calls").item<int64_t>() == 12);
    // the restored run: generate() gives images in [0, 1]; a clipped critic stays in the box
    train::RestoredRun restored = train::restore_run(run.dir, Device(kCPU));
    Tensor images = restored.model->generate(3);
    REQUIRE(images.shape() == Shape{3, 1, 32, 32});
    CHECK(images.min().item() >= 0.0);
    CHECK(images.max().item() <= 1.0);
    if (model == "wgan") {
      auto wgan = std::dynamic_pointer_cast<gan::WGAN>(restored.model);
      REQUIRE(wgan);
      for (const Tensor& p : wgan->critic->parameters()) CHECK(p.abs().max().item() <= 0.01);
    }
    fs::remove_all(run.dir);
  }
  fs::remove_all(data_dir);
}
