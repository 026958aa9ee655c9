#include "nn/optim/optimizer.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "autograd/debug.h"
#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::optim {

ParamGroup::ParamGroup(const ParamGroup& other)
    : params(other.params), options(other.options ? other.options->clone() : nullptr), initial_lr(other.initial_lr) {}

ParamGroup& ParamGroup::operator=(const ParamGroup& other) {
  if (this != &other) *this = ParamGroup(other);
  return *this;
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  defaults_->validate();
  for (ParamGroup& g : groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  if (!group.options) group.options = defaults_->clone();
  group.options->validate();
  std::unordered_set<const TensorImpl*> seen;
  for (const ParamGroup& g : groups_)
    for (const Tensor& p : g.params) seen.insert(p.impl());
  for (const Tensor& p : group.params) {
    DGM_CHECK(p.defined(), "optimizer: a parameter is an undefined tensor");
    DGM_CHECK(p.is_floating_point(), "optimizer: can only optimize floating point tensors, got ", dtype_name(p.dtype()),
              " of shape ", shape_str(p.shape()));
    DGM_CHECK(p.is_leaf(), "optimizer: can't optimize a non-leaf tensor (shape ", shape_str(p.shape()), ")");
    DGM_CHECK(seen.insert(p.impl()).second, "optimizer: a parameter (shape ", shape_str(p.shape()),
              ") appears more than once in the param groups");
  }
  groups_.push_back(std::move(group));
}

void Optimizer::step() {
  update();
  if (!autograd::debug_detect_nan()) return;
  for (size_t g = 0; g < groups_.size(); ++g)
    for (size_t i = 0; i < groups_[g].params.size(); ++i) {
      const Tensor& p = groups_[g].params[i];
      if (!p.grad().defined()) continue;  // not updated
      autograd::check_finite(p, std::string(name()) + " step",
                             "parameter " + std::to_string(i) + " of param group " + std::to_string(g));
    }
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (ParamGroup& g : groups_)
    for (Tensor& p : g.params) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      if (set_to_none)
        p.set_grad(Tensor());
      else
        grad.zero_();
    }
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> all;
  for (const ParamGroup& g : groups_) all.insert(all.end(), g.params.begin(), g.params.end());
  return all;
}

double Optimizer::lr(size_t group) const {
  DGM_CHECK(group < groups_.size(), "optimizer: param group ", group, " out of range (", groups_.size(), " groups)");
  return groups_[group].options->get_lr();
}

void Optimizer::set_lr(double lr) {
  for (ParamGroup& g : groups_) g.options->set_lr(lr);
}

void Optimizer::set_lr(size_t group, double lr) {
  DGM_CHECK(group < groups_.size(), "optimizer: param group ", group, " out of range (", groups_.size(), " groups)");
  groups_[group].options->set_lr(lr);
}

const ParamState& Optimizer::state(const Tensor& param) const {
  static const ParamState empty_state;
  auto it = state_.find(param.impl());
  return it == state_.end() ? empty_state : it->second;
}

double detail::increment_step(ParamState& state) {
  Tensor& step = state["step"];
  if (!step.defined()) step = scalar_tensor(0, kFloat64);
  step.add_(1.0);
  return step.item<double>();
}

// ---- state_dict ----

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  NoGradGuard no_grad;
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& group = groups_[g];
    std::string prefix = "group." + std::to_string(g) + ".";
    std::vector<int64_t> indices;
    for (const Tensor& p : group.params) {
      for (const auto& [name, t] : state(p)) dict["state." + std::to_string(index) + "." + name] = t.clone();
      indices.push_back(index++);
    }
    dict[prefix + "params"] = tensor(indices, {static_cast<int64_t>(indices.size())});
    std::unique_ptr<OptimizerOptions> options = group.options->clone();
    options->visit([&](const std::string& name, double& v) { dict[prefix + name] = scalar_tensor(v, kFloat64); });
    if (group.initial_lr) dict[prefix + "initial_lr"] = scalar_tensor(*group.initial_lr, kFloat64);
  }
  return dict;
}

namespace {

// "12" -> 12; anything else -> -1.
int64_t parse_index(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(s);
}

// "state.3.exp_avg" -> {3, "exp_avg"}; {-1, ""} when the key has another form.
std::pair<int64_t, std::string> split_key(const std::string& key, const std::string& head) {
  if (key.rfind(head, 0) != 0) return {-1, ""};
  size_t dot = key.find('.', head.size());
  if (dot == std::string::npos) return {-1, ""};
  return {parse_index(key.substr(head.size(), dot - head.size())), key.substr(dot + 1)};
}

double scalar_value(const std::string& key, const Tensor& t) {
  DGM_CHECK(t.defined() && t.numel() == 1, "load_state_dict: '", key, "' must hold one number, got shape ",
            t.defined() ? shape_str(t.shape()) : std::string("(undefined)"));
  return t.item<double>();
}

}  // namespace

void Optimizer::load_state_dict(const nn::StateDict& dict) {
  const std::string who = std::string(name()) + "::load_state_dict: ";
  // Everything is checked and built first; the optimizer changes only at the end.
  std::vector<ParamGroup> groups = groups_;
  std::vector<Tensor> by_index;  // saved parameter index -> this optimizer's parameter
  std::set<std::string> used;
  size_t saved_groups = 0;
  while (dict.count("group." + std::to_string(saved_groups) + ".params")) ++saved_groups;
  DGM_CHECK(saved_groups == groups.size(), who, "the state dict has ", saved_groups,
            " param groups, this optimizer has ", groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string prefix = "group." + std::to_string(g) + ".";
    auto it = dict.find(prefix + "params");  // present: counted above
    used.insert(it->first);
    std::vector<int64_t> saved = it->second.to(kInt64).to_vector<int64_t>();
    DGM_CHECK(saved.size() == groups[g].params.size(), who, "param group ", g, " has ", saved.size(),
              " parameters in the state dict and ", groups[g].params.size(), " in this optimizer");
    for (size_t k = 0; k < saved.size(); ++k) {
      DGM_CHECK(saved[k] >= 0 && saved[k] < (1 << 24), who, "bad parameter index ", saved[k], " in ", it->first);
      if (by_index.size() <= static_cast<size_t>(saved[k])) by_index.resize(saved[k] + 1);
      DGM_CHECK(!by_index[saved[k]].defined(), who, "parameter index ", saved[k], " appears twice");
      by_index[saved[k]] = groups[g].params[k];
    }
    groups[g].options->visit([&](const std::string& hyper, double& v) {
      auto h = dict.find(prefix + hyper);
      DGM_CHECK(h != dict.end(), who, "no '", prefix, hyper, "' in the state dict (was it saved by another kind of ",
                "optimizer?)");
      v = scalar_value(h->first, h->second);
      used.insert(h->first);
    });
    groups[g].options->validate();
    groups[g].initial_lr.reset();
    if (auto h = dict.find(prefix + "initial_lr"); h != dict.end()) {
      groups[g].initial_lr = scalar_value(h->first, h->second);
      used.insert(h->first);
    }
  }

  std::vector<std::string> names = state_names();
  std::unordered_map<const TensorImpl*, ParamState> state;
  NoGradGuard no_grad;
  for (const auto& [key, t] : dict) {
    if (key.rfind("state.", 0) != 0) continue;
    auto [i, buffer] = split_key(key, "state.");
    DGM_CHECK(i >= 0 && std::find(names.begin(), names.end(), buffer) != names.end(), who, "unexpected key '", key,
              "' (", name(), " keeps no such state)");
    DGM_CHECK(static_cast<size_t>(i) < by_index.size() && by_index[i].defined(), who, "'", key, "' names parameter ", i,
              ", which no param group in the state dict lists");
    const Tensor& p = by_index[i];
    Tensor value;
    if (buffer == "step") {
      value = scalar_tensor(scalar_value(key, t), kFloat64);
    } else {
      DGM_CHECK(t.defined() && t.shape() == p.shape(), who, "'", key, "' has shape ",
                t.defined() ? shape_str(t.shape()) : std::string("(undefined)"), ", the parameter has shape ",
                shape_str(p.shape()));
      value = t.to(p.device()).to(p.dtype()).clone();
    }
    state[p.impl()][buffer] = value;
    used.insert(key);
  }
  for (const auto& [key, t] : dict)
    DGM_CHECK(used.count(key), who, "unexpected key '", key, "' (the state dict has more param groups or ",
              "hyperparameters than this ", name(), ")");

  groups_ = std::move(groups);
  state_ = std::move(state);
}

}  // namespace dgm::nn::optim
