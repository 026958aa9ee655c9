// The DDPM of homework 5 task 2 (lecture 8), on 2-D points, with the noise predictor ConditionalMLP:
//
//   DDPM(num_timesteps T, model eps_theta)
//     loss(x0)    t ~ U{0, ..., T-1} per example, eps ~ N(0, I),                                  (hw5.3)
//                 x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps                  (ForwardDiffusion, hw5.1)
//                 loss = mean over elements of (eps - eps_theta(x_t, t))^2      ("loss", per coordinate)
//     sample(n)   x_T ~ N(0, I); for t = T-1, ..., 0: x_{t-1} ~ q(x_{t-1} | x_t, x0(x_t, eps_theta(x_t, t)))
//                 (ReverseDiffusion::get_samples, hw5.2)                                            (hw5.3)
//                 With SampleOptions::steps in [1, T): DDIM with eta = 0 on strided_timesteps(T, steps) instead.
//                 Both clamp x0^ into clip_range when it is set. Why one may want it: the cosine schedule's
//                 abar_{T-1} is tiny (2.4e-7 at T = 100), so x0^ = (x - sqrt(1 - abar) eps) / sqrt(abar) at the first
//                 step multiplies the predictor's error by 1 / sqrt(abar) ~ 2000; DDPM's next mean scales it back by
//                 sqrt(abar_{T-2}) (x 30 in all), but strided DDIM by sqrt(abar_s) of a much earlier s (x 180 at 20
//                 steps), which throws its samples far off without a clip.
//
// At evaluation (eval mode) loss() also reports a sample-quality number: "chamfer", the mean distance from each of
// B fresh samples to its nearest point of the test batch plus the mean distance from each test point to its nearest
// sample (B = the batch's size). Samples off the moons raise the first term, a missing moon the second; two
// independent draws of the data give the floor (reported beside the run's value).
//
// Pictures of a run: samples.png (test data beside samples), forward.png (the forward process of the test points at
// T = 100, t = 0, 2, 4, 10, 50, as the notebook draws it) and trajectory.png (the denoising trajectory: x_t of the
// ancestral sampler at the same t, and the finished samples).
#pragma once
#include <memory>
#include <optional>
#include <utility>

#include "models/diffusion/conditional_mlp.h"
#include "models/diffusion/diffusion_model.h"

namespace dgm::models::diffusion {

class DDPM : public DiffusionModel {
 public:
  // clip_range: x0^ clamped into it by both samplers (ReverseDiffusion's clip_range; none in the notebook).
  DDPM(int64_t num_timesteps, std::shared_ptr<ConditionalMLP> model,
       std::optional<std::pair<double, double>> clip_range = std::nullopt);
  std::string name() const override { return "DDPM"; }

  // {"loss"}, and "chamfer" in eval mode (see above). x0 (B, D); draws t and eps from the default generator.
  Losses loss(const Batch& batch) override;
  // L_simple of x0 (B, D): t and eps drawn from the default generator (hw5.3/loss).
  Tensor simple_loss(const Tensor& x0);
  // L_simple with given timesteps t (B) int64 and noise eps (x0's shape): nothing drawn (hw5.3/noise_loss; the twin
  // test calls it).
  Tensor simple_loss(const Tensor& x0, const Tensor& t, const Tensor& noise);
  // n points (n, D); options.steps in [1, T) samples with DDIM (eta 0), 0 or T with the ancestral sampler.
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }

  Tensor predict_eps(const Tensor& x_t, const Tensor& t, const Tensor& y = {}) override;
  const ReverseDiffusion& reverse_diffusion() const override { return reverse_; }
  Shape example_shape() const override { return {model->input_dim}; }

  const int64_t num_timesteps;
  std::shared_ptr<ConditionalMLP> model;
  ForwardDiffusion forward_diffusion;

 private:
  ReverseDiffusion reverse_;
  Tensor draw_prior(int64_t n, Generator* gen) const;
};

// The symmetric mean nearest-neighbour distance between point sets a (n, D) and b (m, D):
// mean_i min_j |a_i - b_j| + mean_j min_i |a_i - b_j|.
Tensor chamfer_distance(const Tensor& a, const Tensor& b);

}  // namespace dgm::models::diffusion
