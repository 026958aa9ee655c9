// Every toy GAN (gan-1d ... sngan-ring) through the training path, small: 2 epochs on a few hundred points of
// its toy set, finite test losses, the pictures (of four of them), and a run stopped after one epoch and resumed
// ends bit-identical to the straight run (the pattern of tests/models/vqvae/test_vqvae_runs.cpp).
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("the toy GANs train, draw their pictures and resume bit-identically", "[gan][toy][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  const std::vector<std::string> models{"gan-1d",          "nsgan-1d",      "gan-ring",          "nsgan-ring",
                                        "gan-ring-c5",     "nsgan-ring-c5", "wgan-ring",         "wgan-gp-ring",
                                        "wgan-gp-ring-c1", "fgan-kl-ring",  "fgan-pearson-ring", "sngan-ring"};
  // every toy model of the family is here
  int64_t toy = 0;
  for (const ModelSpec* s : registry().specs_of("gan"))
    toy += s->name.find("-1d") != std::string::npos || s->name.find("-ring") != std::string::npos;
  CHECK(toy == static_cast<int64_t>(models.size()));
  for (const std::string& model : models) {
    INFO("model " << model);
    const bool ring = model.find("ring") != std::string::npos;
    // the pictures (critic maps on a 200x200 grid) for one model of each kind, to keep the test fast
    const bool pictures = model == "gan-1d" || model == "nsgan-ring" || model == "wgan-ring" || model == "sngan-ring";
    std::vector<std::string> drawn;
    if (pictures) drawn = {"samples.png", "critic.png", "critic_weights.png"};
    if (pictures && ring) drawn.push_back("critic_grad_norm.png");
    const test::TrainedRun run = test::train_and_resume(
        "gan_toy_runs", model,
        // the resumed run draws no pictures (drawn from their own generator, in eval mode: they change no state)
        {.limit = 96, .test_limit = 64, .batch_size = 32, .samples = pictures ? 32 : 0, .resumed_samples = false},
        drawn);
    test::require_test_keys(run, {"critic_loss", "generator_loss"});
    if (ring) {
      REQUIRE(run.result.test.count("modes") == 1);
      CHECK(run.result.test.at("modes") >= 0);
      CHECK(run.result.test.at("modes") <= 8);
    }
    fs::remove_all(run.dir);
  }
}
