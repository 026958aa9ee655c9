// A run of `dgm train` as a library call: the model's spec and preset, the
// options the command line overrides, the data, the optimizers, the trainer
// and the run folder. `dgm train` and the tests both go through train_run, and
// `dgm sample` / `dgm eval` through restore_run.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "models/registry.h"
#include "models/train/trainer.h"

namespace dgm::models::train {

// Changes to one optimizer's spec (unset: the preset's value).
struct OptimizerOverride {
  std::optional<std::string> kind;
  std::optional<double> lr, beta1, beta2, weight_decay, momentum, clip_grad_norm;
  std::optional<std::string> schedule, schedule_unit;
  std::optional<double> gamma;
  std::optional<int64_t> step_size, warmup;
};

struct RunConfig {
  std::string model;
  std::string preset = "quick";  // "quick" or "course"
  std::string dataset;           // "" : the model's first
  std::string data_dir;
  std::string out;   // "" : runs/<model>
  std::string from;  // the first-stage run of a two-stage model
  Device device;
  uint64_t seed = 0;
  bool resume = false;
  // Overrides of the preset (unset: the preset's).
  std::optional<int64_t> epochs, batch_size, limit, test_limit, samples;
  std::optional<double> ema_decay;
  std::optional<std::string> loss_key;
  // By optimizer name; "" applies to every optimizer (then the named ones).
  std::map<std::string, OptimizerOverride> optimizers;
  std::FILE* log = stdout;
  // Called after each epoch's checkpoint (a test stops a run here, as a kill would).
  std::function<void(int64_t epoch, const LossValues& test)> on_epoch_end;
};

// The preset of config.model with config's overrides applied, validated
// (settings_check.h); a dgm::Error names the option, its range and the bad value.
TrainSettings resolve_settings(const ModelSpec& spec, const RunConfig& config);
// The settings as JSON text (stored in the checkpoint, compared on resume).
std::string settings_json(const TrainSettings& settings);

struct RunResult {
  std::string out_dir;
  LossValues test;         // test losses of the last epoch
  TrainSettings settings;  // what was trained with
  int64_t steps = 0;
};
// Before any work: the settings validated, the run folder checked (--out
// under a file), and on --resume the checkpoint's model, settings and seed
// compared, and a finished run (its epochs all done) refused with how to
// extend it (--epochs). A run that diverges throws Diverged (finite.h).
RunResult train_run(const RunConfig& config);

struct RestoredRun {
  std::shared_ptr<GenerativeModel> model;  // in eval mode, EMA weights when the run kept an EMA
  const ModelSpec* spec = nullptr;
  std::map<std::string, std::string> metadata;
  bool ema = false;
};
// The model of a run folder from its checkpoint; a second-stage run restores
// its first stage too (metadata "from").
RestoredRun restore_run(const std::string& run_dir, Device device, bool use_ema = true);

}  // namespace dgm::models::train
