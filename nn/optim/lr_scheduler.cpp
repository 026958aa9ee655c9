#include "nn/optim/lr_scheduler.h"

#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (ParamGroup& g : optimizer.param_groups()) {
    if (!g.initial_lr) g.initial_lr = g.options->get_lr();
    base_lrs_.push_back(*g.initial_lr);
  }
}

void LRScheduler::step() { set_epoch(last_epoch_ + 1); }

void LRScheduler::set_epoch(int64_t epoch) {
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  DGM_CHECK(groups.size() == base_lrs_.size(), "LRScheduler: the optimizer has ", groups.size(),
            " param groups, the scheduler was built for ", base_lrs_.size());
  last_epoch_ = epoch;
  last_lr_.clear();
  for (size_t g = 0; g < groups.size(); ++g) {
    last_lr_.push_back(lr_at(epoch, g));
    groups[g].options->set_lr(last_lr_.back());
  }
}

nn::StateDict LRScheduler::state_dict() const {
  return {{"last_epoch", scalar_tensor(static_cast<double>(last_epoch_), kInt64)},
          {"base_lrs", tensor(base_lrs_, {static_cast<int64_t>(base_lrs_.size())})}};
}

void LRScheduler::load_state_dict(const nn::StateDict& dict) {
  auto epoch = dict.find("last_epoch");
  auto base = dict.find("base_lrs");
  DGM_CHECK(epoch != dict.end() && base != dict.end() && dict.size() == 2,
            "LRScheduler::load_state_dict: expected exactly the keys 'last_epoch' and 'base_lrs', got ", dict.size(),
            " keys");
  DGM_CHECK(epoch->second.numel() == 1, "LRScheduler::load_state_dict: 'last_epoch' must hold one number");
  std::vector<double> base_lrs = base->second.to(kFloat64).to_vector<double>();
  DGM_CHECK(base_lrs.size() == base_lrs_.size(), "LRScheduler::load_state_dict: 'base_lrs' has ", base_lrs.size(),
            " values, the optimizer has ", base_lrs_.size(), " param groups");
  base_lrs_ = base_lrs;
  last_epoch_ = epoch->second.item<int64_t>();
  last_lr_.clear();
  for (size_t g = 0; g < base_lrs_.size(); ++g) last_lr_.push_back(lr_at(last_epoch_, g));
}

}  // namespace dgm::nn::optim
