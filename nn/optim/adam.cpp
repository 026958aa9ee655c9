#include "nn/optim/adam.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/kernels/optim.h"

namespace dgm::nn::optim {

void detail::visit_adam_options(const OptimizerOptions::Visitor& f, double& lr, std::tuple<double, double>& betas,
                                double& eps, double& weight_decay, bool& amsgrad, bool& maximize) {
  f("lr", lr);
  f("betas.0", std::get<0>(betas));
  f("betas.1", std::get<1>(betas));
  f("eps", eps);
  f("weight_decay", weight_decay);
  OptimizerOptions::visit_bool(f, "amsgrad", amsgrad);
  OptimizerOptions::visit_bool(f, "maximize", maximize);
}

void AdamOptions::visit(const Visitor& f) {
  detail::visit_adam_options(f, lr_, betas_, eps_, weight_decay_, amsgrad_, maximize_);
}

void AdamOptions::validate() const { detail::check_adam_options("Adam", lr_, betas_, eps_, weight_decay_); }

Adam::Adam(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void Adam::update() {
  NoGradGuard no_grad;
  for (ParamGroup& group : groups_) {
    const auto& o = static_cast<const AdamOptions&>(*group.options);
    for (Tensor& p : group.params) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (o.maximize()) g = -g;
      // g = g + wd p  (L2 regularization)
      if (o.weight_decay() != 0) g = g.add(p, o.weight_decay());
      detail::adam_update(p, g, state_for(p), o.lr(), std::get<0>(o.betas()), std::get<1>(o.betas()), o.eps(),
                          o.amsgrad());
    }
  }
}

namespace detail {

void adam_update(Tensor& p, const Tensor& g, ParamState& state, double lr, double beta1, double beta2, double eps,
                 bool amsgrad) {
  Tensor& exp_avg = state["exp_avg"];
  Tensor& exp_avg_sq = state["exp_avg_sq"];
  if (!exp_avg.defined()) exp_avg = zeros_like(p);
  if (!exp_avg_sq.defined()) exp_avg_sq = zeros_like(p);
  double step = increment_step(state);
  if (!amsgrad && p.is_contiguous() && g.is_contiguous() && g.dtype() == p.dtype() && g.device() == p.device() &&
      exp_avg.is_contiguous() && exp_avg_sq.is_contiguous()) {
    // The same update as below, fused into one pass (tensor/kernels/optim.h).
    kernels::adam_step_(p, g, exp_avg, exp_avg_sq,
                        {lr, beta1, beta2, eps, 1 - std::pow(beta1, step), std::sqrt(1 - std::pow(beta2, step))});
    return;
  }
  // m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
  exp_avg.mul_(beta1).add_(g, 1 - beta1);
  exp_avg_sq.mul_(beta2).add_(g * (1 - beta2) * g);
  // m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t)   (amsgrad: v_max = max(v_max, v) in place of v)
  double bias_correction1 = 1 - std::pow(beta1, step);
  double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, step));
  Tensor v = exp_avg_sq;
  if (amsgrad) {
    Tensor& max_sq = state["max_exp_avg_sq"];
    if (!max_sq.defined()) max_sq = zeros_like(p);
    max_sq.copy_(maximum(max_sq, exp_avg_sq));
    v = max_sq;
  }
  // p -= lr m_hat / (sqrt(v_hat) + eps)
  Tensor denom = (v.sqrt() / bias_correction2_sqrt).add_(eps);
  p.add_(exp_avg * (-lr / bias_correction1) / denom);
}

void check_adam_options(const char* who, double lr, const std::tuple<double, double>& betas, double eps,
                        double weight_decay) {
  auto [b1, b2] = betas;
  DGM_CHECK(lr >= 0, who, ": invalid learning rate ", lr);
  DGM_CHECK(eps >= 0, who, ": invalid eps ", eps);
  DGM_CHECK(b1 >= 0 && b1 < 1, who, ": invalid beta parameter at index 0: ", b1);
  DGM_CHECK(b2 >= 0 && b2 < 1, who, ": invalid beta parameter at index 1: ", b2);
  DGM_CHECK(weight_decay >= 0, who, ": invalid weight_decay ", weight_decay);
}

}  // namespace detail
}  // namespace dgm::nn::optim
