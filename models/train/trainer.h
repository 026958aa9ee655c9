// The training loop, as the course's train_model: for each epoch, one pass
// over the shuffled training set (model->train_step on each batch, every loss
// key logged, a progress bar), then the test losses, pictures and a
// checkpoint. The loop is the same for every family: what a step does is the
// model's (GenerativeModel::train_step). A run folder holds
//   metrics.jsonl           one line per training step and per epoch and split
//   losses.png              training loss per step and test loss per epoch
//   samples.png             model samples after the last epoch
//   checkpoint.safetensors  model + optimizers + schedules + EMA + step + RNG, to resume or sample from
// plus whatever the model's save_pictures writes (e.g. reconstructions.png).
// With an EMA (options.ema_decay > 0) the averaged weights are used for the
// test losses and the pictures; training continues on the live weights.
#pragma once
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/model.h"
#include "models/train/optimizers.h"
#include "nn/optim/ema.h"

namespace dgm::models::train {

struct TrainOptions {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  uint64_t seed = 0;  // data order and the default generator
  std::string out_dir = "runs/run";
  int64_t n_samples = 64;                       // samples in samples.png; 0: no pictures after each epoch
  bool resume = false;                          // continue from out_dir/checkpoint.safetensors
  double ema_decay = 0;                         // EMA of the weights for evaluation and pictures; 0: none
  Device device;                                // where batches go (the model must already be there)
  std::map<std::string, std::string> metadata;  // stored in the checkpoint (model name, options)
  std::FILE* log = stdout;
};

using LossValues = std::map<std::string, double>;

// ceil(n / batch_size): optimizer steps per epoch (the last batch may be smaller).
int64_t steps_per_epoch(int64_t n, int64_t batch_size);

class Trainer {
 public:
  // Without optimizers (null) the trainer only evaluates.
  Trainer(std::shared_ptr<GenerativeModel> model, std::shared_ptr<Optimizers> optimizers, TrainOptions options);

  // Trains on `train` and evaluates on `test` after every epoch.
  // Returns the test losses of the last epoch. A NaN or infinite loss (any
  // key, training or test) or gradient (any optimizer) stops it with
  // Diverged (finite.h) naming the epoch, the step and the loss key or
  // optimizer; the last checkpoint written stays the one on disk.
  LossValues fit(const Batch& train, const Batch& test);

  // Mean of every loss over `data` in batches, in eval mode, without a graph,
  // with the EMA weights when there is an EMA.
  LossValues evaluate(const Batch& data);

  // Called after each epoch's test evaluation with (epoch, test losses).
  std::function<void(int64_t, const LossValues&)> on_epoch_end;

  int64_t epoch() const { return epoch_; }
  int64_t step() const { return step_; }
  const nn::optim::ExponentialMovingAverage* ema() const { return ema_.get(); }

 private:
  LossValues train_epoch(const Batch& train);
  void write_pictures(const Batch& test);
  void plot_losses() const;
  std::string path(const std::string& file) const;
  // Throws Diverged: "training diverged <when>: <what>; <which checkpoint is kept>; <what to try>".
  [[noreturn]] void diverged(const std::string& when, const std::string& what) const;
  // Runs f with the EMA weights in the model (or the live ones without an EMA).
  void with_averaged_weights(const std::function<void()>& f);

  std::shared_ptr<GenerativeModel> model_;
  std::shared_ptr<Optimizers> optimizers_;
  std::unique_ptr<nn::optim::ExponentialMovingAverage> ema_;
  TrainOptions options_;
  int64_t epoch_ = 0;                           // epochs completed
  int64_t step_ = 0;                            // training steps taken (train_step calls)
  int64_t saved_epoch_ = -1, saved_step_ = -1;  // of the last checkpoint written or resumed from; -1: none
};

}  // namespace dgm::models::train
