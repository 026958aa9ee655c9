#include "nn/optim/ema.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::optim {

ExponentialMovingAverage::ExponentialMovingAverage(std::vector<Tensor> params, double decay, bool use_num_updates)
    : params_(std::move(params)), decay_(decay), use_num_updates_(use_num_updates) {
  DGM_CHECK(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay must be in [0, 1], got ", decay);
  NoGradGuard no_grad;
  for (const Tensor& p : params_) {
    DGM_CHECK(p.defined() && p.is_floating_point(), "ExponentialMovingAverage: parameters must be floating point");
    shadow_.push_back(p.detach().clone());
  }
}

void ExponentialMovingAverage::check_params(const char* op, const std::vector<Tensor>& params) const {
  DGM_CHECK(params.size() == shadow_.size(), "ExponentialMovingAverage::", op, ": got ", params.size(),
            " parameters, the average holds ", shadow_.size());
  for (size_t i = 0; i < params.size(); ++i)
    DGM_CHECK(params[i].shape() == shadow_[i].shape(), "ExponentialMovingAverage::", op, ": parameter ", i,
              " has shape ", shape_str(params[i].shape()), ", its average has ", shape_str(shadow_[i].shape()));
}

double ExponentialMovingAverage::current_decay() const {
  if (!use_num_updates_) return decay_;
  double n = static_cast<double>(num_updates_ + 1);
  return std::min(decay_, (1 + n) / (10 + n));
}

void ExponentialMovingAverage::update() { update(params_); }

void ExponentialMovingAverage::update(const std::vector<Tensor>& params) {
  check_params("update", params);
  double d = current_decay();
  if (use_num_updates_) ++num_updates_;
  NoGradGuard no_grad;
  // shadow = d shadow + (1-d) param, as shadow -= (1-d) (shadow - param)
  for (size_t i = 0; i < params.size(); ++i) shadow_[i].sub_((shadow_[i] - params[i].detach()).mul_(1 - d));
}

void ExponentialMovingAverage::copy_to(const std::vector<Tensor>& params) const {
  check_params("copy_to", params);
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    Tensor p = params[i];
    p.copy_(shadow_[i]);
  }
}

void ExponentialMovingAverage::store(const std::vector<Tensor>& params) {
  check_params("store", params);
  NoGradGuard no_grad;
  collected_.clear();
  for (const Tensor& p : params) collected_.push_back(p.detach().clone());
}

void ExponentialMovingAverage::restore(const std::vector<Tensor>& params) {
  DGM_CHECK(!collected_.empty() || params.empty(),
            "ExponentialMovingAverage::restore: nothing stored; call store() first");
  check_params("restore", params);
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    Tensor p = params[i];
    p.copy_(collected_[i]);
  }
}

nn::StateDict ExponentialMovingAverage::state_dict() const {
  nn::StateDict dict{{"decay", scalar_tensor(decay_, kFloat64)},
                     {"num_updates", scalar_tensor(use_num_updates_ ? static_cast<double>(num_updates_) : -1, kInt64)}};
  NoGradGuard no_grad;
  for (size_t i = 0; i < shadow_.size(); ++i) dict["shadow." + std::to_string(i)] = shadow_[i].clone();
  return dict;
}

void ExponentialMovingAverage::load_state_dict(const nn::StateDict& dict) {
  const char* who = "ExponentialMovingAverage::load_state_dict: ";
  auto decay = dict.find("decay");
  auto updates = dict.find("num_updates");
  DGM_CHECK(decay != dict.end() && updates != dict.end(), who, "expected the keys 'decay' and 'num_updates'");
  DGM_CHECK(dict.size() == shadow_.size() + 2, who, "expected ", shadow_.size(), " shadow tensors, the dict has ",
            dict.size(), " keys");
  std::vector<Tensor> shadow;
  NoGradGuard no_grad;
  for (size_t i = 0; i < shadow_.size(); ++i) {
    auto it = dict.find("shadow." + std::to_string(i));
    DGM_CHECK(it != dict.end(), who, "no 'shadow.", i, "'");
    DGM_CHECK(it->second.shape() == shadow_[i].shape(), who, "'shadow.", i, "' has shape ",
              shape_str(it->second.shape()), ", the parameter has ", shape_str(shadow_[i].shape()));
    shadow.push_back(it->second.to(shadow_[i].device()).to(shadow_[i].dtype()).clone());
  }
  int64_t n = updates->second.item<int64_t>();
  decay_ = decay->second.item<double>();
  use_num_updates_ = n >= 0;
  num_updates_ = std::max<int64_t>(n, 0);
  shadow_ = std::move(shadow);
}

}  // namespace dgm::nn::optim
