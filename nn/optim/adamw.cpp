#include "nn/optim/adamw.h"

#include "autograd/grad_mode.h"
#include "nn/optim/adam.h"

namespace dgm::nn::optim {

void AdamWOptions::visit(const Visitor& f) {
  detail::visit_adam_options(f, lr_, betas_, eps_, weight_decay_, amsgrad_, maximize_);
}

void AdamWOptions::validate() const { detail::check_adam_options("AdamW", lr_, betas_, eps_, weight_decay_); }

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& defaults)
    : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void AdamW::update() {
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

}  // namespace dgm::nn::optim
