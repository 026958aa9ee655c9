#include "models/train/checkpoint.h"

#include "models/train/finite.h"
#include "nn/io/safetensors.h"
#include "tensor/factories.h"

namespace dgm::models::train {

namespace {

using nn::with_prefix_removed;

int64_t int_entry(const nn::StateDict& all, const std::string& key, const std::string& path) {
  auto it = all.find(key);
  DGM_CHECK(it != all.end(), "load_checkpoint: ", path, " has no \"", key, "\" entry; is it a dgm checkpoint?");
  return it->second.item<int64_t>();
}

}  // namespace

void save_checkpoint(const std::string& path, const GenerativeModel& model, const TrainingState& state,
                     const CheckpointInfo& info) {
  nn::StateDict all;
  for (const auto& [key, t] : model.state_dict()) all["model." + key] = t;
  if (state.optimizers)
    for (const auto& [key, t] : state.optimizers->state_dict()) all["optimizers." + key] = t;
  if (state.ema)
    for (const auto& [key, t] : state.ema->state_dict()) all["ema." + key] = t;
  all["trainer.epoch"] = scalar_tensor(static_cast<double>(info.epoch), kInt64);
  all["trainer.step"] = scalar_tensor(static_cast<double>(info.step), kInt64);
  all["rng.default"] = default_generator().get_state();
  // A checkpoint of NaN or infinite weights would overwrite the last good one with a run that cannot continue.
  for (const auto& [key, t] : all)
    DGM_CHECK(all_finite(t), "save_checkpoint: \"", key, "\" holds NaN or infinite values; ", path,
              " is left as it was (the last good checkpoint)");
  nn::io::Metadata metadata = info.metadata;
  metadata["format"] = "dgm-checkpoint-2";
  nn::io::save_safetensors(path, all, metadata);
}

CheckpointInfo load_checkpoint(const std::string& path, GenerativeModel& model, Optimizers* optimizers,
                               nn::optim::ExponentialMovingAverage* ema, bool restore_rng) {
  nn::io::SafetensorsFile file = nn::io::load_safetensors_with_metadata(path);
  const nn::StateDict& all = file.tensors;
  CheckpointInfo info;
  info.epoch = int_entry(all, "trainer.epoch", path);
  info.step = int_entry(all, "trainer.step", path);
  info.metadata = file.metadata;
  model.load_state_dict(with_prefix_removed(all, "model."));
  if (optimizers) optimizers->load_state_dict(with_prefix_removed(all, "optimizers."));
  if (ema) {
    nn::StateDict saved = with_prefix_removed(all, "ema.");
    DGM_CHECK(!saved.empty(), "load_checkpoint: ", path, " has no EMA weights, but this run keeps an EMA");
    ema->load_state_dict(saved);
  }
  if (restore_rng) {
    auto it = all.find("rng.default");
    DGM_CHECK(it != all.end(), "load_checkpoint: ", path, " has no generator state (rng.default)");
    default_generator().set_state(it->second);
  }
  return info;
}

bool load_ema_weights(const std::string& path, GenerativeModel& model) {
  nn::StateDict saved = with_prefix_removed(nn::io::load_safetensors(path), "ema.");
  if (saved.empty()) return false;
  const std::vector<Tensor> params = model.parameters();
  // An average over these parameters, to read the saved shadow into (the decay is then restored from the file).
  nn::optim::ExponentialMovingAverage ema(params, 0.5);
  ema.load_state_dict(saved);
  ema.copy_to();
  return true;
}

CheckpointInfo read_checkpoint_progress(const std::string& path) {
  nn::io::SafetensorsFile file = nn::io::load_safetensors_with_metadata(path);
  CheckpointInfo info;
  info.epoch = int_entry(file.tensors, "trainer.epoch", path);
  info.step = int_entry(file.tensors, "trainer.step", path);
  info.metadata = file.metadata;
  return info;
}

std::map<std::string, std::string> read_checkpoint_metadata(const std::string& path) {
  return nn::io::load_safetensors_with_metadata(path).metadata;
}

}  // namespace dgm::models::train
