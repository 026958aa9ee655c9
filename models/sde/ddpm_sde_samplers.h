// The score SDE samplers on a trained 2-D DDPM (ddpm-moons, models/diffusion/ddpm.h), beside the DDPM's own: its
// schedule as a VP SDE and its noise predictor as a score (ddpm_vp_sde.h), sampled by the reverse SDE (Euler-Maruyama)
// and the probability-flow ODE (odeint) from t = 1 to t_0 = 1 / T. Nothing is trained (no optimizer): the "training"
// epoch logs the DDPM's L_simple, and in eval mode loss() reports the chamfer distance (models/diffusion/ddpm.h) of B
// fresh samples to the test batch against the number of steps of each sampler:
//   chamfer_ddpm_<T>             the DDPM's ancestral sampler (every step)
//   chamfer_ddim_<steps>         DDIM (eta 0) on strided timesteps
//   chamfer_sde_<steps>          the reverse SDE, Euler-Maruyama
//   chamfer_ode_euler_<steps>, chamfer_ode_rk4_<steps>   the probability-flow ODE
// The DDPM's samplers clamp x0^ into its clip_range; the SDE samplers use the raw score.
#pragma once
#include <memory>
#include <vector>

#include "models/diffusion/ddpm.h"
#include "models/sde/ddpm_vp_sde.h"
#include "models/sde/score_sde_model.h"

namespace dgm::models::sde {

class DdpmSdeSamplers : public GenerativeModel {
 public:
  explicit DdpmSdeSamplers(std::shared_ptr<diffusion::DDPM> ddpm, int64_t default_steps = 500);
  std::string name() const override { return "DdpmSdeSamplers"; }

  std::map<std::string, std::vector<Tensor>> optimizer_groups() override { return {}; }
  // {"loss"}: the DDPM's L_simple of the batch, nothing updated.
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  // {"loss"}, and the chamfer keys above in eval mode.
  Losses loss(const Batch& batch) override;
  // The reverse SDE from N(0, I) (steps: options.steps, or default_steps when 0).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  Tensor sample_ode(int64_t n, int64_t steps, const ode::OdeOptions& options = {}, Generator* gen = nullptr);
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }

  const std::shared_ptr<diffusion::DDPM> ddpm;
  const DdpmVpSde sde;
  const int64_t default_steps;
  std::vector<int64_t> ddim_steps{10, 20, 50};
  SdeEvalSteps eval_steps;

 private:
  ScoreFunction score();
};

}  // namespace dgm::models::sde
