// Adam (Kingma & Ba, 2015), as torch.optim.Adam: weight decay is L2 added to
// the gradient (see AdamW for the decoupled form); amsgrad keeps the running
// maximum of the second moment. Bias correction counts steps per parameter.
#pragma once
#include <tuple>

#include "nn/optim/optimizer.h"

namespace dgm::nn::optim {

struct AdamOptions : OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit, as libtorch's
  DGM_OPTIM_ARG(double, lr);
  DGM_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  DGM_OPTIM_ARG(double, eps) = 1e-8;
  DGM_OPTIM_ARG(double, weight_decay) = 0;
  DGM_OPTIM_ARG(bool, amsgrad) = false;
  DGM_OPTIM_ARG(bool, maximize) = false;

 public:
  void visit(const Visitor& f) override;
  void validate() const override;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& defaults = {});
  Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = {});

 protected:
  void update() override;
  std::vector<std::string> state_names() const override { return {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
  const char* name() const override { return "Adam"; }
};

namespace detail {
// The Adam update of one parameter given its (already decayed) gradient; shared with AdamW.
void adam_update(Tensor& param, const Tensor& grad, ParamState& state, double lr, double beta1, double beta2,
                 double eps, bool amsgrad);
// Visits Adam's and AdamW's settings (the same names, for state_dict).
void visit_adam_options(const OptimizerOptions::Visitor& f, double& lr, std::tuple<double, double>& betas, double& eps,
                        double& weight_decay, bool& amsgrad, bool& maximize);
// Checks lr, betas, eps and weight_decay for Adam and AdamW.
void check_adam_options(const char* who, double lr, const std::tuple<double, double>& betas, double eps,
                        double weight_decay);
}  // namespace detail

}  // namespace dgm::nn::optim
