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
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

train::RunConfig small_run(const ModelSpec& spec, const std::string& out) {
  train::RunConfig c = test::quiet_run_config(spec.name, out);
  c.limit = 48;
  c.test_limit = 24;
  // gmm-em's step is one full-batch EM step: its spec's batch (the whole training set) holds the 48 examples, and
  // --batch-size is refused for it
  if (!spec.full_batch) c.batch_size = 16;
  c.samples = 4;
  return c;
}

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("every lvm model trains, draws its pictures and resumes bit-identically", "[lvm][train]") {
  OneThread one;  // bit-identical sums need one summation order
  std::vector<const ModelSpec*> specs = registry().specs_of("lvm");
  REQUIRE(specs.size() == 3);
  for (const ModelSpec* spec : specs) {
    SECTION(spec->name) {
      const std::string straight = test::fresh_temp_dir("lvm_runs", spec->name + "_straight");
      const std::string resumed = test::fresh_temp_dir("lvm_runs", spec->name + "_resumed");
      train::RunConfig a = small_run(*spec, straight);
      a.epochs = 2;
      train::RunResult r = train::train_run(a);
      REQUIRE(!r.test.empty());
      for (const auto& [key, value] : r.test) {
        INFO(spec->name << " test " << key << " = " << value);
        CHECK(std::isfinite(value));
      }
      CHECK(r.test.count(r.settings.loss_key) == 1);
      CHECK(fs::exists(straight + "/samples.png"));
      CHECK(fs::exists(straight + "/density.png"));
      train::RunConfig b = small_run(*spec, resumed);
      b.epochs = 1;
      train::train_run(b);
      b.epochs = 2;
      b.resume = true;
      train::train_run(b);
      nn::StateDict x = checkpoint(straight), y = checkpoint(resumed);
      REQUIRE(x.size() == y.size());
      for (const auto& [key, t] : x) {
        INFO(spec->name << " checkpoint entry " << key);
        REQUIRE(y.count(key));
        CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
      }
      fs::remove_all(straight);
      fs::remove_all(resumed);
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
