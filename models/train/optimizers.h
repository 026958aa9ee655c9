// The optimizers of one run, by name, each with its gradient clipping and LR
// schedule: what GenerativeModel::train_step updates the model with.
//
//   opt.zero_grad("critic"); losses.at("critic_loss").backward(); opt.step("critic");
//
// step(name) clips the gradients of that optimizer's parameters (when its spec
// asks) and takes the optimizer step. Schedules count training steps
// (train_step calls, end_step) or epochs (end_epoch), whichever their unit
// says, so a GAN's generator, stepped every n_critic-th call, follows the same
// clock as its critic. loss_key() names the loss the
// default train_step minimizes. The whole state (optimizer moments, schedule
// positions, step counts) is in state_dict(), so a resumed run is exact.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/train/optimizer_spec.h"
#include "nn/optim/lr_scheduler.h"
#include "nn/optim/optimizer.h"

namespace dgm::models::train {

class Optimizers {
 public:
  Optimizers() = default;
  // One optimizer per entry of `groups` (name -> parameters); `specs` must
  // have exactly the same names. `steps_per_epoch` and `epochs` size the
  // cosine schedules whose t_max is 0 (0: unknown, then such a schedule is an error).
  Optimizers(const std::map<std::string, std::vector<Tensor>>& groups,
             const std::map<std::string, OptimizerSpec>& specs, std::string loss_key = "loss",
             int64_t steps_per_epoch = 0, int64_t epochs = 0);

  nn::optim::Optimizer& operator[](const std::string& name) const;
  void zero_grad(const std::string& name) const;
  // Clip (if asked) and optimizer step; returns the gradient norm before
  // clipping (0 when this optimizer does not clip). A NaN or infinite
  // gradient throws Diverged (finite.h) naming the optimizer, without a step.
  double step(const std::string& name);
  // After each training step: advances every schedule whose unit is "step".
  void end_step();
  // After each epoch: advances every schedule whose unit is "epoch".
  void end_epoch();

  std::vector<std::string> names() const;
  // The name when there is exactly one optimizer; a dgm::Error otherwise
  // (a model with several must override train_step).
  const std::string& single() const;
  const std::string& loss_key() const { return loss_key_; }
  const OptimizerSpec& spec(const std::string& name) const;
  // Optimizer steps taken by `name` so far.
  int64_t steps(const std::string& name) const;

  // "<name>.optimizer.*", "<name>.scheduler.*", "<name>.steps".
  nn::StateDict state_dict() const;
  void load_state_dict(const nn::StateDict& dict);

 private:
  struct Entry {
    OptimizerSpec spec;
    std::shared_ptr<nn::optim::Optimizer> optimizer;
    std::shared_ptr<nn::optim::LRScheduler> scheduler;  // null: constant lr (a SequentialLR owns its parts)
    int64_t steps = 0;
  };
  const Entry& entry(const std::string& name) const;
  Entry& entry(const std::string& name);
  std::map<std::string, Entry> entries_;
  std::string loss_key_ = "loss";
};

}  // namespace dgm::models::train
