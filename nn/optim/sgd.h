// Stochastic gradient descent with momentum, dampening, weight decay and
// Nesterov momentum, as torch.optim.SGD.
#pragma once
#include "nn/optim/optimizer.h"

namespace dgm::nn::optim {

struct SGDOptions : OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit, as libtorch's
  DGM_OPTIM_ARG(double, lr);
  DGM_OPTIM_ARG(double, momentum) = 0;
  DGM_OPTIM_ARG(double, dampening) = 0;
  DGM_OPTIM_ARG(double, weight_decay) = 0;
  DGM_OPTIM_ARG(bool, nesterov) = false;
  DGM_OPTIM_ARG(bool, maximize) = false;

 public:
  void visit(const Visitor& f) override;
  void validate() const override;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& defaults = {});
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults = {});

 protected:
  void update() override;
  std::vector<std::string> state_names() const override { return {"momentum_buffer"}; }
  const char* name() const override { return "SGD"; }
};

}  // namespace dgm::nn::optim
