#include "nn/optim/adamw.h"

#include "autograd/grad_mode.h"
#include "nn/optim/adam.h"

namespace dgm::optim {

void AdamWOptions::visit(const Visitor& f) {
  f("lr", lr_);
  f("betas.0", std::get<0>(betas_));
  f("betas.1", std::get<1>(betas_));
  f("eps", eps_);
  f("weight_decay", weight_decay_);
  visit_bool(f, "amsgrad", amsgrad_);
  visit_bool(f, "maximize", maximize_);
}

void AdamWOptions::validate() const { detail::check_adam_options("AdamW", lr_, betas_, eps_, weight_decay_); }

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& defaults)
    : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void AdamW::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : groups_) {
    const auto& o = static_cast<const AdamWOptions&>(*group.options);
    for (Tensor& p : group.params) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (o.maximize()) g = -g;
      // p = p (1 - lr wd)  (decoupled weight decay), then the Adam step on g
      p.mul_(1 - o.lr() * o.weight_decay());
      detail::adam_update(p, g, state_for(p), o.lr(), std::get<0>(o.betas()), std::get<1>(o.betas()), o.eps(),
                          o.amsgrad());
    }
  }
}

}  // namespace dgm::optim
