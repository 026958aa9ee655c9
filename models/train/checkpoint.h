// A training checkpoint in one safetensors file, so Python can read the
// weights too: "model.<name>" for the model's state dict, "optimizer.<name>"
// for the optimizer's, "trainer.epoch" / "trainer.step" (int64) and
// "rng.default" (the default Generator's state). The metadata records the
// model name and the training options as JSON. Saved atomically: a crash while
// saving leaves the previous checkpoint intact.
#pragma once
#include <map>
#include <string>

#include "models/model.h"
#include "nn/optim/optimizer.h"

namespace dgm::train {

struct CheckpointInfo {
  int64_t epoch = 0;  // epochs completed
  int64_t step = 0;   // optimizer steps taken
  std::map<std::string, std::string> metadata;
};

void save_checkpoint(const std::string& path, const models::GenerativeModel& model, const optim::Optimizer* optimizer,
                     const CheckpointInfo& info);

// Restores the model (and the optimizer and default generator when given /
// asked for); returns the epoch, step and metadata.
CheckpointInfo load_checkpoint(const std::string& path, models::GenerativeModel& model,
                               optim::Optimizer* optimizer = nullptr, bool restore_rng = true);

// Only the metadata (which model, which options), without building a model.
std::map<std::string, std::string> read_checkpoint_metadata(const std::string& path);

}  // namespace dgm::train
