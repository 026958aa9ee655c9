// Every model of the "flows" family through the training path, small: two
// epochs on a few examples draw the pictures, give finite test losses, and a
// run stopped after one epoch and resumed ends bit-identical to the straight
// run (model, optimizer, RNG). Image models read a fake MNIST written here
// (the real files need not be present), toy models their generated sets.
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("every flows model trains, draws its pictures and resumes bit-identically", "[flows][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("flow_runs");
  std::vector<const ModelSpec*> specs = registry().specs_of("flows");
  REQUIRE(!specs.empty());
  for (const ModelSpec* spec : specs) {
    SECTION(spec->name) { fs::remove_all(test::train_and_resume("flow_runs", spec->name, {.data_dir = data_dir}).dir); }
  }
  fs::remove_all(data_dir);
}
