// ffjord-moons (exact trace) and ffjord-moons-hutchinson through the training path, small: 2 epochs on a few hundred
// points, finite test losses with their keys, the pictures, and a run stopped after one epoch and resumed ends
// bit-identical to the straight run (Hutchinson's e come from the run's seeded generator).
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("ffjord-moons and ffjord-moons-hutchinson train, draw their pictures and resume bit-identically",
          "[ode][ffjord][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  for (const char* model : {"ffjord-moons", "ffjord-moons-hutchinson"}) {
    INFO(model);
    const test::TrainedRun run = test::train_and_resume(
        "ffjord_runs", model,
        {.limit = 64, .test_limit = 32, .batch_size = 32, .samples = 16, .resumed_samples = false},
        {"samples.png", "density.png"});
    test::require_test_keys(run, {"loss", "nfe", "hutchinson_var"});
    CHECK(run.result.test.at("nfe") == 32);  // RK4, 8 steps
    fs::remove_all(run.dir);
  }
}
