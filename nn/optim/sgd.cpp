#include "nn/optim/sgd.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace dgm::nn::optim {

void SGDOptions::visit(const Visitor& f) {
  f("lr", lr_);
  f("momentum", momentum_);
  f("dampening", dampening_);
  f("weight_decay", weight_decay_);
  visit_bool(f, "nesterov", nesterov_);
  visit_bool(f, "maximize", maximize_);
}

void SGDOptions::validate() const {
  DGM_CHECK(lr_ >= 0, "SGD: invalid learning rate ", lr_);
  DGM_CHECK(momentum_ >= 0, "SGD: invalid momentum ", momentum_);
  DGM_CHECK(weight_decay_ >= 0, "SGD: invalid weight_decay ", weight_decay_);
  DGM_CHECK(!nesterov_ || (momentum_ > 0 && dampening_ == 0),
            "SGD: nesterov momentum requires a momentum > 0 and zero dampening");
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions& defaults)
    : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults) : Optimizer(std::move(groups), defaults.clone()) {}

void SGD::update() {
  NoGradGuard no_grad;
  for (ParamGroup& group : groups_) {
    const auto& o = static_cast<const SGDOptions&>(*group.options);
    for (Tensor& p : group.params) {
      Tensor d_p = p.grad();
      if (!d_p.defined()) continue;
      if (o.maximize()) d_p = -d_p;
      // g = g + wd p
      if (o.weight_decay() != 0) d_p = d_p.add(p, o.weight_decay());
      if (o.momentum() != 0) {
        Tensor& buf = state_for(p)["momentum_buffer"];
        // b = g on the first step, then b = mu b + (1 - dampening) g;  g = nesterov ? g + mu b : b
        if (!buf.defined())
          buf = d_p.clone();
        else
          buf.mul_(o.momentum()).add_(d_p, 1 - o.dampening());
        d_p = o.nesterov() ? d_p.add(buf, o.momentum()) : buf;
      }
      // p -= lr g
      p.add_(d_p, -o.lr());
    }
  }
}

}  // namespace dgm::nn::optim
