#include "nn/optim/sequential_lr.h"

#include <algorithm>

#include "tensor/error.h"

namespace dgm::nn::optim {

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  DGM_CHECK(!schedulers_.empty(), "SequentialLR: expected at least one scheduler");
  DGM_CHECK(milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expected ", schedulers_.size() - 1,
            " milestones for ", schedulers_.size(), " schedulers, got ", milestones_.size());
  DGM_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()), "SequentialLR: milestones must be increasing");
  for (size_t k = 0; k < schedulers_.size(); ++k)
    DGM_CHECK(schedulers_[k] && &schedulers_[k]->optimizer() == &optimizer, "SequentialLR: scheduler ", k,
              " is not built on the optimizer given to SequentialLR");
  initial_step();
}

// scheduler k = number of milestones <= epoch, at its own epoch (epoch - milestone k-1)
double SequentialLR::lr_at(int64_t epoch, size_t group) const {
  size_t k = std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  int64_t start = k == 0 ? 0 : milestones_[k - 1];
  return schedulers_[k]->lr_at(epoch - start, group);
}

}  // namespace dgm::nn::optim
