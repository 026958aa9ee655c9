// The program the kill test (kill_test.sh) kills: it trains the test-only
// model "heavy" (a 12 MB checkpoint after every step, so that saving
// dominates) and checks what a killed run left behind.
//
//   dgm_kill_driver train RUN EPOCHS   trains to EPOCHS epochs, resuming RUN's checkpoint when there is one
//   dgm_kill_driver check RUN          loads RUN's checkpoint whole (model, optimizer, generator) and
//                                      prints "epoch E step S"; exit 1 when it does not open or is not finite
#include <cstdio>
#include <filesystem>
#include <string>

#include "models/train/checkpoint.h"
#include "models/train/finite.h"
#include "models/train/run.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;

namespace {

int train_to(const std::string& run, int64_t epochs) {
  train::RunConfig c;
  c.model = "heavy";
  c.out = run;
  c.epochs = epochs;
  c.resume = std::filesystem::exists(run + "/checkpoint.safetensors");
  train::RunResult r = train::train_run(c);
  std::printf("finished: %lld steps\n", static_cast<long long>(r.steps));
  return 0;
}

int check(const std::string& run) {
  const ModelSpec& spec = registry().find("heavy");
  std::shared_ptr<GenerativeModel> model = spec.make({});
  train::Optimizers optimizers(model->optimizer_groups(), spec.preset("quick").optimizers);
  train::CheckpointInfo info =
      train::load_checkpoint(run + "/checkpoint.safetensors", *model, &optimizers, nullptr, /*restore_rng=*/true);
  for (const auto& [name, p] : model->named_parameters())
    DGM_CHECK(train::all_finite(p), "check: parameter ", name, " is not finite");
  std::printf("epoch %lld step %lld\n", static_cast<long long>(info.epoch), static_cast<long long>(info.step));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    test::register_test_models();
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "train" && argc == 4) return train_to(argv[2], std::stoll(argv[3]));
    if (mode == "check" && argc == 3) return check(argv[2]);
    std::fprintf(stderr, "usage: dgm_kill_driver train RUN EPOCHS | check RUN\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dgm_kill_driver: %s\n", e.what());
    return 1;
  }
}
