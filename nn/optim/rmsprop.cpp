#include "nn/optim/rmsprop.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::optim {

void RMSpropOptions::visit(const Visitor& f) {
  f("lr", lr_);
  f("alpha", alpha_);
  f("eps", eps_);
  f("weight_decay", weight_decay_);
  f("momentum", momentum_);
  visit_bool(f, "centered", centered_);
  visit_bool(f, "maximize", maximize_);
}

void RMSpropOptions::validate() const {
  DGM_CHECK(lr_ >= 0, "RMSprop: invalid learning rate ", lr_);
  DGM_CHECK(eps_ >= 0, "RMSprop: invalid eps ", eps_);
  DGM_CHECK(momentum_ >= 0, "RMSprop: invalid momentum ", momentum_);
  DGM_CHECK(weight_decay_ >= 0, "RMSprop: invalid weight_decay ", weight_decay_);
  DGM_CHECK(alpha_ >= 0, "RMSprop: invalid alpha ", alpha_);
}

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults)
    : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone()) {}

void RMSprop::update() {
  NoGradGuard no_grad;
  for (ParamGroup& group : groups_) {
    const auto& o = static_cast<const RMSpropOptions&>(*group.options);
    for (Tensor& p : group.params) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (o.maximize()) g = -g;
      ParamState& state = state_for(p);
      Tensor& square_avg = state["square_avg"];
      if (!square_avg.defined()) square_avg = zeros_like(p);
      detail::increment_step(state);
      // g = g + wd p
      if (o.weight_decay() != 0) g = g.add(p, o.weight_decay());
      // v = alpha v + (1-alpha) g^2
      square_avg.mul_(o.alpha()).add_(g * (1 - o.alpha()) * g);
      Tensor avg;
      if (o.centered()) {
        // centered: m = alpha m + (1-alpha) g;  avg = sqrt(v - m^2) + eps
        Tensor& grad_avg = state["grad_avg"];
        if (!grad_avg.defined()) grad_avg = zeros_like(p);
        grad_avg.mul_(o.alpha()).add_(g, 1 - o.alpha());
        avg = (square_avg - grad_avg * grad_avg).sqrt().add_(o.eps());
      } else {
        // avg = sqrt(v) + eps
        avg = square_avg.sqrt().add_(o.eps());
      }
      if (o.momentum() > 0) {
        // b = mu b + g / avg;  p -= lr b
        Tensor& buf = state["momentum_buffer"];
        if (!buf.defined()) buf = zeros_like(p);
        buf.mul_(o.momentum()).add_(g / avg);
        p.add_(buf, -o.lr());
      } else {
        // p -= lr g / avg
        p.add_(g * (-o.lr()) / avg);
      }
    }
  }
}

}  // namespace dgm::nn::optim
