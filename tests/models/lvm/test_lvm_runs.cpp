// Every model of the "lvm" family through the training path, small: two
// epochs draw the pictures and give finite test losses, and a run stopped
// after one epoch and resumed ends bit-identical to the straight run (model,
// optimizer, RNG), as tests/models/flows/test_flow_runs.cpp. The toy set is
// generated, so no files are needed. gmm-em trains without an optimizer.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "dgm.h"
#include "models/registry.h"
#include "models/train/optimizers.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("every lvm model trains, draws its pictures and resumes bit-identically", "[lvm][train]") {
  test::OneThread one;
  std::vector<const ModelSpec*> specs = registry().specs_of("lvm");
  REQUIRE(specs.size() == 3);
  for (const ModelSpec* spec : specs) {
    SECTION(spec->name) {
      fs::remove_all(test::train_and_resume("lvm_runs", spec->name, {}, {"samples.png", "density.png"}).dir);
    }
  }
}

TEST_CASE("a model without parameter groups gets no optimizer, and optimizer options are refused", "[lvm][train]") {
  const ModelSpec& spec = find_model("gmm-em");
  CHECK(spec.preset("quick").optimizers.empty());
  // No groups and no specs: an empty set of optimizers. A spec for a missing group stays an error.
  train::Optimizers none({}, {});
  CHECK(none.names().empty());
  CHECK_THROWS_WITH(train::Optimizers({}, {{"model", train::OptimizerSpec{}}}),
                    Catch::Contains("no such parameter group"));
  train::RunConfig c = test::quiet_run_config("gmm-em", test::fresh_temp_dir("lvm_runs", "lr_refused"));
  train::OptimizerOverride lr;
  lr.lr = 1e-3;
  c.optimizers[""] = lr;
  CHECK_THROWS_WITH(train::train_run(c), Catch::Contains("trains without an optimizer"));
  // EM is full-batch: a smaller batch or an EMA of its iterates is refused, naming the option
  train::RunConfig b = test::quiet_run_config("gmm-em", test::fresh_temp_dir("lvm_runs", "batch_refused"));
  b.batch_size = 128;
  CHECK_THROWS_WITH(train::train_run(b), Catch::Contains("--batch-size") && Catch::Contains("full-batch"));
  train::RunConfig e = test::quiet_run_config("gmm-em", test::fresh_temp_dir("lvm_runs", "ema_refused"));
  e.ema_decay = 0.9;
  CHECK_THROWS_WITH(train::train_run(e), Catch::Contains("--ema") && Catch::Contains("full-batch"));
}
