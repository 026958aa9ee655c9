// What every course model provides, as the course's BaseModel in dgm_utils:
// loss(batch) returns named losses of a batch (the optimizer minimizes the
// spec's loss key, "loss" unless said; the others are logged), and
// sample(n, options) draws n new examples.
//
// The model owns its training step. train_step(batch, optimizers) defaults to
// one optimizer minimizing the loss key; a model that needs more (a GAN: the
// critic every call, the generator every n_critic-th call, two optimizers)
// overrides it and names its parameter groups in optimizer_groups(). The
// trainer only calls train_step; it never learns what a GAN is.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/batch.h"
#include "nn/module.h"

namespace dgm::models {

namespace train {
class Optimizers;  // models/train/optimizers.h
}

using Losses = std::map<std::string, Tensor>;

class GenerativeModel : public nn::Module {
 public:
  virtual Losses loss(const Batch& batch) = 0;
  virtual Tensor sample(int64_t n, const SampleOptions& options = {}) = 0;
  // What `dgm train`'s pictures and `dgm sample` draw with: sample(n, options),
  // unless the model has a faster sampler of the same distribution (ImageGPT:
  // a key-value cache).
  virtual Tensor generate(int64_t n, const SampleOptions& options = {}) { return sample(n, options); }

  // The parameters each optimizer updates, by optimizer name. Default: one
  // group "model" holding every parameter.
  virtual std::map<std::string, std::vector<Tensor>> optimizer_groups();
  // One training step on `batch`. Default: zero_grad, loss(batch), backward of
  // the loss key, step of the single optimizer. Returns the losses to log.
  virtual Losses train_step(const Batch& batch, train::Optimizers& optimizers);

  // The pictures of a run folder. Default: samples.png, a grid of
  // generate(n_samples) for images (4-D samples); for points (n,2) or (n,1),
  // samples.png shows test_batch.x beside the samples on shared axes.
  // Conditional models get labels cycling over their classes. Called in eval
  // mode without a graph; random draws come from gen.
  virtual void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen);
  // Number of classes a conditional model takes (0: unconditional).
  virtual int64_t num_classes() const { return 0; }
  // The SampleOptions beyond the generator that sample() reads, of "labels",
  // "guidance", "steps" (`dgm sample` refuses the others instead of ignoring them).
  virtual std::vector<std::string> sample_options() const;
};

}  // namespace dgm::models
