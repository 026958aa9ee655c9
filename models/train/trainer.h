// The training loop, as the course's train_model: for each epoch, one pass
// over the shuffled training set (every loss key logged, a progress bar),
// then the test losses, samples and a checkpoint. A run folder holds
//   metrics.jsonl           one line per training step and per epoch and split
//   losses.png              training loss per step and test loss per epoch
//   samples.png             model samples after the last epoch
//   checkpoint.safetensors  model + optimizer + step + RNG, to resume or sample from
// plus whatever the model's save_pictures writes (e.g. reconstructions.png).
#pragma once
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/model.h"
#include "nn/optim/optimizer.h"

namespace dgm::train {

struct TrainOptions {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  uint64_t seed = 0;             // data order and the default generator
  std::string out_dir = "runs/run";
  int64_t n_samples = 64;        // images in samples.png; 0: no pictures after each epoch
  bool resume = false;           // continue from out_dir/checkpoint.safetensors
  Device device;                 // where batches go (the model must already be there)
  std::map<std::string, std::string> metadata;  // stored in the checkpoint (model name, options)
  std::FILE* log = stdout;
};

using LossValues = std::map<std::string, double>;

class Trainer {
 public:
  Trainer(std::shared_ptr<models::GenerativeModel> model, std::shared_ptr<optim::Optimizer> optimizer,
          TrainOptions options);

  // Trains on train_x (N,...) and evaluates on test_x after every epoch.
  // Returns the test losses of the last epoch.
  LossValues fit(const Tensor& train_x, const Tensor& test_x);

  // Mean of every loss over x in batches, in eval mode and without a graph.
  LossValues evaluate(const Tensor& x);

  // Called after each epoch's test evaluation with (epoch, test losses).
  std::function<void(int64_t, const LossValues&)> on_epoch_end;

  int64_t epoch() const { return epoch_; }
  int64_t step() const { return step_; }

 private:
  LossValues train_epoch(const Tensor& train_x);
  void write_pictures(const Tensor& test_x);
  void plot_losses() const;
  std::string path(const std::string& file) const;

  std::shared_ptr<models::GenerativeModel> model_;
  std::shared_ptr<optim::Optimizer> optimizer_;
  TrainOptions options_;
  int64_t epoch_ = 0;  // epochs completed
  int64_t step_ = 0;   // optimizer steps taken
};

}  // namespace dgm::train
