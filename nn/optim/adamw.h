// AdamW (Loshchilov & Hutter, 2019), as torch.optim.AdamW: Adam with weight
// decay decoupled from the gradient, p -= lr wd p before the Adam step.
#pragma once
#include <tuple>

#include "nn/optim/optimizer.h"

namespace dgm::nn::optim {

struct AdamWOptions : OptimizerCloneableOptions<AdamWOptions> {
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit, as libtorch's
  DGM_OPTIM_ARG(double, lr);
  DGM_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  DGM_OPTIM_ARG(double, eps) = 1e-8;
  DGM_OPTIM_ARG(double, weight_decay) = 1e-2;
  DGM_OPTIM_ARG(bool, amsgrad) = false;
  DGM_OPTIM_ARG(bool, maximize) = false;

 public:
  void visit(const Visitor& f) override;
  void validate() const override;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = {});
  AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults = {});

 protected:
  void update() override;
  std::vector<std::string> state_names() const override { return {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
  const char* name() const override { return "AdamW"; }
};

}  // namespace dgm::nn::optim
