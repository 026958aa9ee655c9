// Learning-rate schedules in closed form, as torch.optim.lr_scheduler's
// StepLR, ExponentialLR, CosineAnnealingLR and LinearLR (base_lr: see lr_scheduler.h).
#pragma once
#include "nn/optim/lr_scheduler.h"

namespace dgm::nn::optim {

// lr = base_lr gamma^floor(epoch / step_size)
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch, size_t group) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = base_lr gamma^epoch
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double lr_at(int64_t epoch, size_t group) const override;

 private:
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2
// (without restarts: past T_max the cosine climbs back, as in PyTorch)
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);
  double lr_at(int64_t epoch, size_t group) const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

// lr = base_lr (start + (end - start) min(epoch, total_iters) / total_iters):
// a linear warm-up from start_factor base_lr to end_factor base_lr, then constant.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);
  double lr_at(int64_t epoch, size_t group) const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

}  // namespace dgm::nn::optim
