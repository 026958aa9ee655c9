// A trained DDPM seen as a VP SDE (lecture 12: DDPM is the VP SDE discretised), so that the reverse-SDE and
// probability-flow ODE samplers (score_sde_samplers.h) run on its noise predictor:
//
//   DdpmVpSde(alphas_cumprod abar_0..abar_{T-1})       DDPM step i sits at time t_i = (i + 1) / T, abar(0) = 1
//     log abar(t)  piecewise linear through (0, 0) and (t_i, log abar_i)
//     beta(t)      = -d/dt log abar(t) = T log(abar_{i-1} / abar_i) = -T log(1 - beta_i) on (t_{i-1}, t_i]
//     f = -1/2 beta(t) x,  g = sqrt(beta(t)),  p_t(x | x0) = N(sqrt(abar(t)) x0, 1 - abar(t))   exactly the DDPM's
//                                                                          q(x_i | x0) at every t_i
//     prior N(0, I) (abar_{T-1} is 2.4e-7 for the cosine schedule at T = 100)
//   ddpm_score(eps_theta, sde)(x, t) = -eps_theta(x, i(t)) / sqrt(1 - abar(t)),  i(t) = round(t T) - 1 in [0, T-1]
//     (the nearest DDPM step; at the grid times t_i the DDPM's own noise level)
//
// Samples go from t = 1 down to t_0 = 1 / T (the DDPM's first noisy step), where the kernel's std is sqrt(beta_0).
#pragma once
#include <functional>
#include <vector>

#include "models/sde/score_sde.h"
#include "models/sde/score_sde_samplers.h"

namespace dgm::models::sde {

class DdpmVpSde : public ScoreSde {
 public:
  // abar (T) float64, decreasing in (0, 1].
  explicit DdpmVpSde(const Tensor& alphas_cumprod);
  std::string name() const override;
  int64_t num_timesteps() const { return static_cast<int64_t>(log_abar_.size()); }
  double beta(double t) const;
  double log_abar(double t) const;
  // The DDPM step whose noise level is nearest to time t: round(t T) - 1, clamped into [0, T - 1].
  int64_t timestep(double t) const;
  // The time of DDPM step i: (i + 1) / T.
  double time_of(int64_t i) const;
  Tensor drift(const Tensor& x, double t) const override;
  double diffusion(double t) const override;
  double mean_coeff(double t) const override;
  double marginal_std(double t) const override;
  Tensor mean_coeff(const Tensor& t) const override;
  Tensor marginal_std(const Tensor& t) const override;
  double prior_std() const override { return 1; }

 private:
  std::vector<double> log_abar_;  // log abar_i, i = 0..T-1
};

// eps_theta(x_t, t) with t (B) int64 DDPM steps, as DiffusionModel::predict_eps without labels.
using EpsFunction = std::function<Tensor(const Tensor& x_t, const Tensor& t)>;

// The score -eps_theta(x, i(t)) / sqrt(1 - abar(t)) (captures `sde` by reference: keep it alive).
ScoreFunction ddpm_score(const EpsFunction& eps, const DdpmVpSde& sde);

}  // namespace dgm::models::sde
