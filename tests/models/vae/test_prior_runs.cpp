// The learned-prior VAEs and the discrete VAEs of the "vae" family through the
// training path, small: two epochs on a fake MNIST draw the pictures, give
// finite test losses, and a run stopped after one epoch and resumed ends
// bit-identical to the straight run (model with the VampPrior's pseudo-inputs,
// the MAF prior and the dVAE's step buffer, hence its temperature; optimizer; RNG).
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

TEST_CASE("the learned-prior VAEs and dVAEs train, draw their pictures and resume bit-identically",
          "[vae][priors][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("prior_runs");
  std::vector<const ModelSpec*> specs;
  for (const ModelSpec* s : registry().specs_of("vae"))
    if (s->name.rfind("vae-prior-", 0) == 0 || s->name.rfind("dvae-", 0) == 0) specs.push_back(s);
  REQUIRE(specs.size() == 5);
  for (const ModelSpec* spec : specs) {
    SECTION(spec->name) {
      test::TrainedRun run = test::train_and_resume("prior_runs", spec->name, {.data_dir = data_dir});
      if (spec->name.rfind("dvae-", 0) == 0) {
        // 2 epochs of 48 / 16 = 3 steps: the temperature's step counter is 6 in both runs
        REQUIRE(run.checkpoint.count("model.step") == 1);
        CHECK(run.checkpoint.at("model.step").to_vector<double>() == std::vector<double>{6});
      }
      fs::remove_all(run.dir);
    }
  }
  fs::remove_all(data_dir);
}
