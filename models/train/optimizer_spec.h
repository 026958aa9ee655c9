// How one optimizer of a run is set up: its kind and hyperparameters, gradient
// clipping and learning-rate schedule. A model spec gives one per optimizer
// ("model" for most models; "generator" and "critic" for a GAN), and `dgm
// train --optimizer/--lr/--betas/...` overrides them.
#pragma once
#include <cstdint>
#include <string>

namespace dgm::models::train {

struct ScheduleSpec {
  // "none"; "step": lr = base gamma^floor(t / step_size); "exponential": lr = base gamma^t;
  // "cosine": lr = eta_min + (base - eta_min)(1 + cos(pi t / T_max)) / 2, T_max 0 = the whole run.
  std::string kind = "none";
  int64_t step_size = 1;
  double gamma = 0.1;
  int64_t t_max = 0;
  double eta_min = 0;
  // Linear warm-up from lr/warmup to lr over the first `warmup` units, then the schedule.
  int64_t warmup = 0;
  // What t counts: "epoch" (PyTorch's usual scheduler.step() per epoch) or "step" (per optimizer step).
  std::string unit = "epoch";
};

struct OptimizerSpec {
  std::string kind = "adam";  // sgd, adam, adamw, rmsprop
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;  // adam, adamw
  double weight_decay = 0;            // L2 for sgd/adam/rmsprop, decoupled for adamw
  double momentum = 0;                // sgd, rmsprop
  double clip_grad_norm = 0;          // max L2 norm of all gradients of this optimizer; 0: no clipping
  ScheduleSpec schedule;
};

// Every field in its range (settings_check.h); a dgm::Error names the field
// as its command-line flag, `who` when not empty ("--lr (optimizer \"critic\")"),
// the range and the bad value. Defined in settings_check.cpp.
void validate(const OptimizerSpec& spec, const std::string& who);
// "adam lr 0.001 betas (0.9, 0.999)", for logs and `dgm list`.
std::string describe(const OptimizerSpec& spec);

}  // namespace dgm::models::train
