// The ResNet VAE's specs through the training path, small: two epochs on a few examples give finite test
// losses and the three pictures (samples, reconstructions, interpolations), and a run stopped after one epoch
// and resumed ends bit-identical to the straight run (model with its batch-norm statistics, optimizer, RNG).
// resnet-vae reads a fake Fashion-MNIST and resnet-vae-cifar10 a fake CIFAR-10, both written here.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("every ResNet VAE trains, draws its pictures and resumes bit-identically", "[vae][resnet][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("resnet_vae_runs", 32, 24, /*cifar10=*/true);
  for (const char* name : {"resnet-vae", "resnet-vae-cifar10"}) {
    SECTION(name) {
      test::TrainedRun run = test::train_and_resume("resnet_vae_runs", name, {.data_dir = data_dir, .limit = 32},
                                                    {"samples.png", "reconstructions.png", "interpolations.png"});
      CHECK(run.result.test.count("elbo_loss") == 1);
      fs::remove_all(run.dir);
    }
  }
  fs::remove_all(data_dir);
}
