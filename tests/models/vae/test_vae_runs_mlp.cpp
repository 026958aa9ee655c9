// The MLP VAEs of seminar 5 (models/vae/mlp_vae_specs.cpp) through the training path, small: two epochs on a
// few examples draw the pictures, give finite test losses, and a run stopped after one epoch and resumed ends
// bit-identical to the straight run (model, optimizer, RNG). MNIST models read a fake MNIST written here (the
// pattern of tests/models/flows/test_flow_runs.cpp), the 2-D models their generated sets.
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

TEST_CASE("every MLP VAE trains, draws its pictures and resumes bit-identically", "[vae][mlp_vae][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("mlp_vae_runs");
  const std::vector<std::string> names = {"vae-2d-rotated", "vae-2d-aligned", "vae-2d-collapse", "vae-mnist-2d",
                                          "beta-vae-0",     "beta-vae-4",     "iwae-mnist"};
  for (const std::string& name : names) {
    SECTION(name) {
      std::vector<std::string> pictures = {"samples.png"};
      if (registry().find(name).datasets.front() == "mnist")
        pictures = {"samples.png", "latent.png", "latent_grid.png"};
      fs::remove_all(test::train_and_resume("mlp_vae_runs", name, {.data_dir = data_dir}, pictures).dir);
    }
  }
  fs::remove_all(data_dir);
}
