// The architecture record of a checkpoint (models/train/architecture.h): the same for every build of a model and
// preset whatever the seed, refused on restore and resume when it differs from what dgm builds now, and absent from
// old checkpoints, which still load.
#include <filesystem>

#include "models/registry.h"
#include "models/train/architecture.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "tensor/random.h"
#include "tests/helpers.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

// The model of `spec` and `preset` built after manual_seed(seed), its first stage (a fresh one) built too.
std::shared_ptr<GenerativeModel> build(const ModelSpec& spec, const std::string& preset, uint64_t seed) {
  manual_seed(seed);
  MakeContext context;
  context.preset = preset;
  if (!spec.from.empty()) {
    MakeContext parent_context;
    parent_context.preset = preset;
    context.parent = find_model(spec.from).make(parent_context);
  }
  return spec.make(context);
}

// Rewrites a checkpoint's metadata entry "architecture" (erased when `architecture` is empty).
void set_architecture(const std::string& checkpoint, const std::string& architecture) {
  nn::io::SafetensorsFile file = nn::io::load_safetensors_with_metadata(checkpoint);
  if (architecture.empty())
    file.metadata.erase("architecture");
  else
    file.metadata["architecture"] = architecture;
  nn::io::save_safetensors(checkpoint, file.tensors, file.metadata);
}

}  // namespace

TEST_CASE("every model's architecture record is the same for any seed, and names what the preset sets",
          "[train][architecture]") {
  for (const ModelSpec& spec : model_specs()) {
    for (const auto& [preset, settings] : spec.presets) {
      INFO("model " << spec.name << ", preset " << preset);
      const std::string a = train::architecture_of(*build(spec, preset, 1));
      const std::string b = train::architecture_of(*build(spec, preset, 2));
      CHECK(!a.empty());
      CHECK(a == b);
    }
  }
  // The DDPM presets differ in the group count of the UNet's last GroupNorm, which no parameter shape shows.
  const ModelSpec& ddpm = find_model("ddpm-mnist");
  CHECK_THAT(train::architecture_of(*build(ddpm, "quick", 1)), Catch::Contains("tail_norm_groups=8"));
  CHECK_THAT(train::architecture_of(*build(ddpm, "course", 1)), Catch::Contains("tail_norm_groups=32"));
}

TEST_CASE("a checkpoint of another architecture is refused on restore and resume; one without a record loads",
          "[train][architecture]") {
  test::register_test_models();
  const std::string dir = test::fresh_temp_dir("architecture", "run");
  train::train_run(test::quiet_run_config("gauss2d", dir));
  const std::string ckpt = dir + "/checkpoint.safetensors";
  const auto saved = nn::io::load_safetensors_with_metadata(ckpt).metadata;
  REQUIRE(saved.count("architecture"));
  CHECK(saved.at("architecture") == train::architecture_of(*train::restore_run(dir, Device()).model));

  const std::string changed = "OtherModel(\n)\n";
  set_architecture(ckpt, changed);
  CHECK_THROWS_WITH(train::restore_run(dir, Device()), Catch::Contains("another architecture") &&
                                                           Catch::Contains("line 1") &&
                                                           Catch::Contains("the checkpoint has `OtherModel(`"));
  train::RunConfig resume = test::quiet_run_config("gauss2d", dir);
  resume.resume = true;
  resume.epochs = 1000;  // unfinished: the check comes before training
  CHECK_THROWS_WITH(train::train_run(resume), Catch::Contains("--resume") && Catch::Contains("another architecture"));

  // a checkpoint written before the record existed
  set_architecture(ckpt, "");
  CHECK_NOTHROW(train::restore_run(dir, Device()));
  fs::remove_all(dir);
}
