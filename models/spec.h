// A model as `dgm train` knows it: what it is, which data it trains on, how
// its optimizers are set up, and two presets of hyperparameters:
//   quick   sized for 2 CPU cores, at most 10 minutes, recognizable samples
//   course  the course's settings (COURSE.md), meant for a GPU
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/train/optimizer_spec.h"

namespace dgm::models {

struct TrainSettings {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  // One entry per parameter group of the model (optimizer_groups()): "model" for most.
  std::map<std::string, train::OptimizerSpec> optimizers = {{"model", {}}};
  double ema_decay = 0;  // EMA of the weights for sampling and evaluation; 0: none
  std::string loss_key = "loss";
  int64_t limit = 0;          // train on the first `limit` examples (0: all)
  int64_t test_limit = 0;     // evaluate on the first `test_limit` examples (0: all)
  int64_t samples = 64;       // pictures after each epoch (0: none)
  std::string expected_time;  // wall time, and on what: "78 s on 2 CPU cores (measured)"
};

// What a model is built from: for the second stage of a two-stage pipeline,
// the trained first-stage model (`dgm train vqvae-prior --from runs/vqvae`).
// The preset being trained (or restored), for models whose size differs
// between presets (a small network for `quick` on 2 CPU cores, the course's for `course`).
struct MakeContext {
  std::shared_ptr<GenerativeModel> parent;
  std::string preset = "quick";
};

struct ModelSpec {
  std::string name;    // as typed on the command line: "vae"
  std::string family;  // a family name of registry.h: "vae"
  std::string course;  // where it is in the course: "homework 2, lecture 4"
  std::string description;
  std::string loss_unit;              // what the loss key measures: "negative ELBO, nats per image"
  std::vector<std::string> datasets;  // the first is the default
  std::string transform;              // what is done to the raw data, for `dgm list`
  int64_t toy_size = 0;               // points in all for a toy set, split 80/20 (0: the set's default)
  bool conditional = false;           // batches carry the data set's labels (y)
  bool full_batch = false;  // one step per epoch on the whole training set (EM): --batch-size and --ema refused
  std::map<std::string, TrainSettings> presets;  // "quick" and "course"
  std::function<std::shared_ptr<GenerativeModel>(const MakeContext&)> make;
  // Images (N,C,H,W) in 0..255 -> model input; null for data sets that are not images.
  std::function<Tensor(const Tensor&)> prepare;
  // Two-stage pipelines: the model whose run this one starts from, and what
  // the trained parent turns each data split into (e.g. codes of a VQ-VAE).
  std::string from;
  std::function<Batch(GenerativeModel& parent, const Batch& split)> stage_data;

  const TrainSettings& preset(const std::string& name) const;
};

}  // namespace dgm::models
