// Optimizer: the base of SGD, Adam, AdamW and RMSprop, as torch::optim::Optimizer.
//
// An optimizer holds param groups: each a list of parameters plus its own
// options (lr and the optimizer's hyperparameters), so that, e.g., biases can
// get another lr than weights. Per-parameter state (Adam's moments, SGD's
// momentum buffer, the step count) is created on the first step() that sees a
// gradient for that parameter.
//
//   nn::optim::Adam opt(params, nn::optim::AdamOptions(1e-3).betas({0.9, 0.999}));
//   for (...) { opt.zero_grad(); loss.backward(); opt.step(); }
//
// step() updates the parameters in place under NoGradGuard with tensor ops, in
// the parameter's dtype and on its device; parameters whose grad is undefined
// are skipped. state_dict() names every tensor as PyTorch numbers them:
//   state.<i>.<name>     per-parameter state, i counting parameters across groups
//   group.<g>.params     int64 indices of the group's parameters
//   group.<g>.<hyper>    lr, betas.0, momentum, ... as 0-dim float64 (bools as 0/1)
//   group.<g>.initial_lr set by the first LR scheduler
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace dgm::nn::optim {

// Builder-style option, as libtorch's TORCH_ARG: `opts.lr(0.1)` sets (and
// returns the options for chaining), `opts.lr()` reads.
#define DGM_OPTIM_ARG(T, name)                    \
 public:                                          \
  auto& name(const T& new_##name) {               \
    this->name##_ = new_##name;                   \
    return *this;                                 \
  }                                               \
  const T& name() const { return this->name##_; } \
                                                  \
 private:                                         \
  T name##_

// Adam's (beta1, beta2).
using Betas = std::tuple<double, double>;

// Hyperparameters of one param group.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Calls f(name, value) for every hyperparameter (lr first); f may change the
  // value. Bools travel as 0/1. Used by state_dict and load_state_dict.
  using Visitor = std::function<void(const std::string& name, double& value)>;
  virtual void visit(const Visitor& f) = 0;
  // Throws dgm::Error naming the optimizer and the bad value.
  virtual void validate() const {}

  // A bool setting visited as 0/1.
  static void visit_bool(const Visitor& f, const std::string& name, bool& value) {
    double v = value ? 1.0 : 0.0;
    f(name, v);
    value = v != 0.0;
  }
};

// clone(), get_lr() and set_lr() for an options class with an `lr` argument.
template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  double get_lr() const override { return static_cast<const Derived&>(*this).lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
};

// Parameters that share options. Without options, the optimizer's defaults apply.
struct ParamGroup {
  std::vector<Tensor> params;
  std::unique_ptr<OptimizerOptions> options;
  std::optional<double> initial_lr;  // the lr LR schedulers start from

  ParamGroup(std::vector<Tensor> params_) : params(std::move(params_)) {}  // NOLINT: implicit
  template <typename Options, typename = std::enable_if_t<std::is_base_of_v<OptimizerOptions, Options>>>
  ParamGroup(std::vector<Tensor> params_, const Options& options_)
      : params(std::move(params_)), options(options_.clone()) {}
  ParamGroup(const ParamGroup& other);
  ParamGroup& operator=(const ParamGroup& other);
  ParamGroup(ParamGroup&&) = default;
  ParamGroup& operator=(ParamGroup&&) = default;
};

// Per-parameter state by name ("step", "exp_avg", ...).
using ParamState = std::map<std::string, Tensor>;

namespace detail {
// Increments a parameter's "step" (a 0-dim float64 CPU tensor, created at 0) and returns it.
double increment_step(ParamState& state);
}  // namespace detail

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (update()); in anomaly
  // mode (autograd/debug.h) each parameter is then checked for NaN/Inf.
  void step();
  // Resets every gradient: to undefined (set_to_none, PyTorch's default) or to zeros.
  void zero_grad(bool set_to_none = true);

  void add_param_group(ParamGroup group);
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }
  // Every parameter, group after group (the order state_dict numbers them in).
  std::vector<Tensor> parameters() const;

  // Learning rate of one group, or of every group (for schedulers).
  double lr(size_t group = 0) const;
  void set_lr(double lr);
  void set_lr(size_t group, double lr);

  // The state of one parameter (empty before its first step).
  const ParamState& state(const Tensor& param) const;

  // Copies (not references) of every state tensor and hyperparameter.
  nn::StateDict state_dict() const;
  // Restores what state_dict() saved into an optimizer of the same kind with
  // the same group sizes and parameter shapes; parameters are matched by
  // position. Throws dgm::Error on any mismatch and then changes nothing.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  Optimizer(std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);
  // The optimizer's own update of every parameter with a gradient, called by step().
  virtual void update() = 0;
  // Names the state a step may create; load_state_dict accepts only these.
  virtual std::vector<std::string> state_names() const = 0;
  virtual const char* name() const = 0;
  // The state of `param`, created on first use.
  ParamState& state_for(const Tensor& param) { return state_[param.impl()]; }

  std::vector<ParamGroup> groups_;

 private:
  std::unique_ptr<OptimizerOptions> defaults_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

}  // namespace dgm::nn::optim
