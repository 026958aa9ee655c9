// A training checkpoint in one safetensors file, so Python can read the
// weights too: "model.<name>" for the model's state dict (its buffers hold any
// state of its own step, e.g. a GAN's step counter), "optimizers.<name>.*"
// for each optimizer with its schedule, "ema.*" for the weight average,
// "trainer.epoch" / "trainer.step" (int64) and "rng.default" (the default
// Generator's state). The metadata records the model name and the training
// options as JSON. Saved atomically: a crash while saving leaves the previous
// checkpoint intact.
#pragma once
#include <map>
#include <string>

#include "models/model.h"
#include "models/train/optimizers.h"
#include "nn/optim/ema.h"

namespace dgm::models::train {

struct CheckpointInfo {
  int64_t epoch = 0;  // epochs completed
  int64_t step = 0;   // training steps taken
  std::map<std::string, std::string> metadata;
};

struct TrainingState {
  const Optimizers* optimizers = nullptr;
  const nn::optim::ExponentialMovingAverage* ema = nullptr;
};

// A dgm::Error, with the file at `path` untouched, when any saved tensor
// (weights, optimizer state, EMA) holds a NaN or an infinity.
void save_checkpoint(const std::string& path, const GenerativeModel& model, const TrainingState& state,
                     const CheckpointInfo& info);

// Restores the model, and the optimizers, the EMA and the default generator
// when given / asked for; returns the epoch, step and metadata.
CheckpointInfo load_checkpoint(const std::string& path, GenerativeModel& model, Optimizers* optimizers = nullptr,
                               nn::optim::ExponentialMovingAverage* ema = nullptr, bool restore_rng = true);

// Puts the checkpoint's EMA weights into the model (what sampling and
// evaluation of a run with an EMA use); false when the checkpoint has none.
bool load_ema_weights(const std::string& path, GenerativeModel& model);

// The epoch, step and metadata, without building a model.
CheckpointInfo read_checkpoint_progress(const std::string& path);

// Only the metadata (which model, which options), without building a model.
std::map<std::string, std::string> read_checkpoint_metadata(const std::string& path);

}  // namespace dgm::models::train
