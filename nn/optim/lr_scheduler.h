// LRScheduler: the base of the learning-rate schedules, as
// torch.optim.lr_scheduler.LRScheduler.
//
//   nn::optim::CosineAnnealingLR sched(opt, /*T_max=*/100);
//   for (epoch ...) { train(opt); sched.step(); }
//
// Each schedule is a closed form lr(epoch, base_lr). Constructing a scheduler
// sets every group's lr to its epoch-0 value; step() advances last_epoch by
// one and sets lr(last_epoch). base_lr is the group's initial_lr, which the
// first scheduler built on an optimizer records (the group's lr at that time),
// so schedulers built later, e.g. for SequentialLR, start from the same value.
// The closed forms equal PyTorch's recursive (chainable) updates up to rounding.
#pragma once
#include <cstdint>
#include <vector>

#include "nn/optim/optimizer.h"
#include "nn/state_dict.h"

namespace dgm::nn::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // last_epoch += 1; every group's lr = lr_at(last_epoch, group).
  virtual void step();
  // Moves to `epoch` and sets the lrs for it.
  void set_epoch(int64_t epoch);
  // The lrs set by the last step (or by the constructor), one per group.
  std::vector<double> get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() const { return optimizer_; }

  // The schedule: the lr of `group` at `epoch`.
  virtual double lr_at(int64_t epoch, size_t group) const = 0;

  // "last_epoch" (0-dim int64) and "base_lrs" (float64, one per group). Loading
  // restores them without touching the optimizer, whose own state dict holds its lrs.
  virtual nn::StateDict state_dict() const;
  virtual void load_state_dict(const nn::StateDict& dict);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Sets the epoch-0 lrs; every concrete scheduler's constructor ends with it
  // (lr_at is not callable from the base constructor).
  void initial_step() { set_epoch(0); }

 private:
  Optimizer& optimizer_;
  int64_t last_epoch_ = -1;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
};

}  // namespace dgm::nn::optim
