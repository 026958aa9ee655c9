// RMSprop (Hinton, 2012), as torch.optim.RMSprop: optional momentum, weight
// decay (L2 added to the gradient) and the centered form, which divides by an
// estimate of the gradient's variance instead of its second moment.
#pragma once
#include "nn/optim/optimizer.h"

namespace dgm::nn::optim {

struct RMSpropOptions : OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit, as libtorch's
  DGM_OPTIM_ARG(double, lr);
  DGM_OPTIM_ARG(double, alpha) = 0.99;
  DGM_OPTIM_ARG(double, eps) = 1e-8;
  DGM_OPTIM_ARG(double, weight_decay) = 0;
  DGM_OPTIM_ARG(double, momentum) = 0;
  DGM_OPTIM_ARG(bool, centered) = false;
  DGM_OPTIM_ARG(bool, maximize) = false;

 public:
  void visit(const Visitor& f) override;
  void validate() const override;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = {});
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults = {});

 protected:
  void update() override;
  std::vector<std::string> state_names() const override {
    return {"step", "square_avg", "momentum_buffer", "grad_avg"};
  }
  const char* name() const override { return "RMSprop"; }
};

}  // namespace dgm::nn::optim
