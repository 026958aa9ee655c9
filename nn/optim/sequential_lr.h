// SequentialLR: schedulers one after another, as torch.optim.lr_scheduler.SequentialLR.
// Scheduler k runs from milestone k-1 (epoch 0 of its own) up to milestone k:
//
//   auto warmup = std::make_shared<nn::optim::LinearLR>(opt, 0.01, 1.0, 100);
//   auto cosine = std::make_shared<nn::optim::CosineAnnealingLR>(opt, 900);
//   nn::optim::SequentialLR sched(opt, {warmup, cosine}, {100});
//
// The schedulers must be built on the same optimizer; SequentialLR only asks
// them for their closed form (their own last_epoch is not advanced).
#pragma once
#include <memory>
#include <vector>

#include "nn/optim/lr_scheduler.h"

namespace dgm::nn::optim {

class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  double lr_at(int64_t epoch, size_t group) const override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

}  // namespace dgm::nn::optim
