// The noise-conditioned score network (NCSN, Song and Ermon 2019; lecture 8, homework 4 task 3, seminar 8):
//
//   NoiseConditionedScoreNetwork(score_model, input_shape, sigmas), sigmas sorted descending (a geometric
//   progression sigma_1 > ... > sigma_T, geometric_sigmas below); score_model s(x, t) takes the level index t.
//   forward(x)  per element: t ~ U{0..T-1} and eps ~ N(0, I) per example, x_t = x + sigma_t eps,
//               l = sigma_t^2 / sigma_T^2 * (s(x_t, t) - grad log q(x_t | x))^2,
//               grad log q(x_t | x) = -(x_t - x) / sigma_t^2 = -eps / sigma_t              (hw4.3)
//   loss        total_loss      = E_x sum over elements of l (forward(x).mean(0).sum(), as the DSM of task 2)
//               normalized_loss = mean of sigma_t^2 (s + eps / sigma_t)^2 per element (logged; 1 for s = 0)
//   sample(n, steps = 100)  x ~ U[-r, r] (r = 1, the course's), annealed Langevin (annealed_langevin.h, hw4.4) with
//               eta_t = eps sigma_t^2 / sigma_T^2; images come back as (x.clip(-1, 1) + 1) / 2, points as x.
//
// The weight's denominator: sigma_T is the LAST, smallest sigma, the same sigma_T as in the step size eta_t (the
// course writes both with T, and NCSN's alpha_i = eps sigma_i^2 / sigma_L^2 uses the smallest). The weight
// lambda(sigma) = sigma^2 of the paper makes every level's term sigma_t^2 (s + eps/sigma_t)^2 = (sigma_t s + eps)^2
// of order one; dividing by the constant sigma_T^2 only rescales the objective (its minimizer and Adam's steps are
// unchanged): each level weighs like the smallest level's plain DSM loss.
//
// Seminar 8's 2-D NCSN adds mode metrics (NCSNConfig::mode_metrics, evaluation only): on as many points as the batch,
// mode_weight (annealed Langevin) and mode_weight_plain (plain Langevin on the smallest level's score, step eps,
// T * num_steps steps: the seminar's step 0.01 and 1000 steps), the share of points with x_1 + x_2 > 0, i.e. at the
// mode +(5, 5) of gmm2d, whose true weight is 0.9.
#pragma once
#include <memory>
#include <vector>

#include "models/model.h"
#include "models/score/annealed_langevin.h"
#include "models/score/conditioned_module.h"

namespace dgm::models::score {

// L geometric levels from sigma_max down to sigma_min (sigma_max > sigma_min > 0, L >= 2): sigma_i =
// sigma_max (sigma_min / sigma_max)^(i / (L - 1)), as np.exp(np.linspace(log max, log min, L)).
std::vector<double> geometric_sigmas(double sigma_max, double sigma_min, int64_t L);

struct NCSNConfig {
  int64_t num_steps = 100;      // Langevin steps per level (the course's sample default)
  double eps = 0.1;             // the smallest level's step (the course's default)
  double init_range = 1;        // x_0 ~ U[-init_range, init_range]
  bool mode_metrics = false;    // 2-D only: log mode_weight and mode_weight_plain when evaluating
  int64_t trajectory_rows = 8;  // samples in trajectory.png
};

class NoiseConditionedScoreNetwork : public GenerativeModel {
 public:
  NoiseConditionedScoreNetwork(std::shared_ptr<ConditionedModule> score_model, Shape input_shape,
                               std::vector<double> sigmas, NCSNConfig config = {});
  std::string name() const override { return "NoiseConditionedScoreNetwork"; }
  std::string extra_repr() const override;

  // The per-element weighted loss (B, input_shape...) of a batch x (B, input_shape...); draws from gen.
  Tensor forward(const Tensor& x, Generator* gen);
  Tensor forward(const Tensor& x) override { return forward(x, nullptr); }
  Losses loss(const Batch& batch) override;

  // Annealed Langevin from x over every level (hw4.4), with this network's score.
  Tensor annealed_langevin_dynamics(const Tensor& x, int64_t num_steps, double eps, Generator* gen = nullptr,
                                    const LevelCallback& on_level = {});
  // x_0 ~ U[-r, r] of shape (n, input_shape...).
  Tensor initial_points(int64_t n, Generator* gen = nullptr) const;
  // Images (n, C, H, W): (x.clip(-1, 1) + 1) / 2; points: x.
  Tensor to_output(const Tensor& x) const;
  // options.steps: Langevin steps per level (0: config.num_steps).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }
  // samples.png and trajectory.png (one column per level); for points also scores.png (the learned score, one
  // quiver panel per level) and the plain-Langevin samples beside the annealed ones.
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  std::shared_ptr<ConditionedModule> score_model;
  Shape input_shape;
  std::vector<double> sigmas;  // descending
  NCSNConfig config;
  Tensor sigmas_tensor;  // (T) float32 buffer "sigmas", on the parameters' device

 private:
  bool images() const { return input_shape.size() == 3; }
  Device device() const { return sigmas_tensor.device(); }
  void check_input(const Tensor& x, const char* who) const;
  // Plain Langevin (step eps, T * num_steps steps) on the smallest level's score, from U[-r, r].
  Tensor plain_langevin(int64_t n, Generator* gen);
};

}  // namespace dgm::models::score
