// A score SDE model on points (lectures 11-12): a time-conditioned score network trained by continuous-time denoising
// score matching, sampled by the reverse SDE or the probability-flow ODE (score_sde_samplers.h).
//
//   ScoreSdeModel(sde, net, t_eps = 1e-3, default_steps = 500)
//     score       s_theta(x, t) = net(c_in(t) x, t) / std(t),   c_in(t) = 1 / sqrt(mean_coeff(t)^2 + std(t)^2)
//                 (c_in keeps the network's input of unit scale for data of unit scale: the VE's x_t grows to
//                 sigma_max; dividing by std(t) is Song et al.'s output scaling, the network predicts -z)
//     loss(x0)    t ~ U[t_eps, 1], z ~ N(0, I), x_t = mean_coeff(t) x0 + std(t) z;
//                 DSM with weight lambda(t) = std(t)^2: std^2 |s_theta(x_t, t) - (-z / std)|^2 = |std s_theta + z|^2
//                 = |net(c_in x_t, t) + z|^2, averaged over examples and coordinates (1 for net = 0)
//     sample(n)   x_1 ~ prior, the reverse SDE by Euler-Maruyama from 1 to t_eps in `steps` steps (default_steps
//                 unless SampleOptions::steps is set)
//     sample_ode  the probability-flow ODE by odeint (euler / midpoint / rk4 in `steps` steps, or dopri5)
//
// In eval mode loss() also reports sample quality against the number of steps, for both samplers: the chamfer
// distance (models/diffusion/ddpm.h: chamfer_distance) between B fresh samples and the test batch, keys
// "chamfer_sde_<steps>", "chamfer_ode_euler_<steps>", "chamfer_ode_rk4_<steps>" for the step counts of eval_steps.
//
// Pictures of a run: samples.png (test data beside reverse-SDE samples), samplers.png (data, reverse SDE, PF-ODE rk4),
// trajectory_sde.png and trajectory_ode.png (x_t at t = 1, 0.5, 0.25, 0.1, 0.02 and t_eps).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/ode/odeint.h"
#include "models/sde/score_sde.h"
#include "models/sde/time_score_mlp.h"

namespace dgm::models::sde {

// The step counts of the eval-mode chamfer keys.
struct SdeEvalSteps {
  std::vector<int64_t> sde{20, 100, 500};
  std::vector<int64_t> ode_euler{10, 100};
  std::vector<int64_t> ode_rk4{5, 25};
};

class ScoreSdeModel : public GenerativeModel {
 public:
  ScoreSdeModel(std::shared_ptr<ScoreSde> sde, std::shared_ptr<TimeScoreMLP> net, double t_eps = 1e-3,
                int64_t default_steps = 500);
  std::string name() const override { return "ScoreSdeModel"; }

  // s_theta(x, t) for x (B, D) and one t (the samplers' call) or one t per example t (B).
  Tensor score(const Tensor& x, double t);
  Tensor score(const Tensor& x, const Tensor& t);
  // |net(c_in x_t, t) + z|^2 averaged, with given t (B) and z (x0's shape): nothing drawn.
  Tensor dsm_loss(const Tensor& x0, const Tensor& t, const Tensor& z);
  // The same with t ~ U[t_eps, 1] and z ~ N(0, I) from the default generator.
  Tensor dsm_loss(const Tensor& x0);

  // {"loss"}, and the chamfer keys above in eval mode.
  Losses loss(const Batch& batch) override;
  // The reverse SDE from the prior (steps: options.steps, or default_steps when 0).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // The probability-flow ODE from the prior; stats counts the score evaluations.
  Tensor sample_ode(int64_t n, int64_t steps, const ode::OdeOptions& options = {}, Generator* gen = nullptr,
                    ode::OdeStats* stats = nullptr);
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }

  const std::shared_ptr<ScoreSde> sde;
  const std::shared_ptr<TimeScoreMLP> net;
  const double t_eps;
  const int64_t default_steps;
  SdeEvalSteps eval_steps;

 private:
  Tensor draw_prior(int64_t n, Generator* gen);
};

}  // namespace dgm::models::sde
