// ExponentialMovingAverage: a running average of the weights, evaluated in
// place of the weights themselves (diffusion models, GANs), after torch-ema.
//
//   nn::optim::ExponentialMovingAverage ema(model_params, 0.999);
//   ... opt.step(); ema.update();
//   ema.store(); ema.copy_to();  evaluate();  ema.restore();
//
// update(): shadow = d shadow + (1-d) param, computed as torch-ema does,
// shadow -= (1-d)(shadow - param). With use_num_updates (torch-ema's default)
// the decay warms up: d = min(decay, (1+n)/(10+n)) at the n-th update
// (n = 1, 2, ...), so early averages are not dominated by the random init;
// without it, d = decay from the first update (the plain EMA of DDPM-style code).
// The shadow starts as a copy of the parameters, in their dtype and device.
#pragma once
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace dgm::nn::optim {

class ExponentialMovingAverage {
 public:
  ExponentialMovingAverage(std::vector<Tensor> params, double decay, bool use_num_updates = true);

  // One EMA step towards the parameters given at construction (or `params`,
  // which must match them in number and shapes).
  void update();
  void update(const std::vector<Tensor>& params);
  // params = shadow.
  void copy_to() const { copy_to(params_); }
  void copy_to(const std::vector<Tensor>& params) const;
  // Saves a copy of the parameters / puts it back (evaluate with EMA weights in between).
  void store() { store(params_); }
  void store(const std::vector<Tensor>& params);
  void restore() { restore(params_); }
  void restore(const std::vector<Tensor>& params);

  const std::vector<Tensor>& shadow_params() const { return shadow_; }
  double decay() const { return decay_; }
  int64_t num_updates() const { return num_updates_; }
  // The decay the next update() will use.
  double current_decay() const;

  // "decay", "num_updates" (-1 without use_num_updates), "shadow.<i>" (copies).
  nn::StateDict state_dict() const;
  void load_state_dict(const nn::StateDict& dict);

 private:
  void check_params(const char* op, const std::vector<Tensor>& params) const;

  std::vector<Tensor> params_;
  std::vector<Tensor> shadow_;
  std::vector<Tensor> collected_;
  double decay_;
  bool use_num_updates_;
  int64_t num_updates_ = 0;
};

}  // namespace dgm::nn::optim
