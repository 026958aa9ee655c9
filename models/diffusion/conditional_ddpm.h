// The DDPM of homework 5 task 3 with classifier-free guidance (lectures 8 and 10), around a UNet noise predictor,
// on 1x32x32 images in [0, 1] (the model works in [-1, 1]):
//
//   loss(x0, y)   x0 <- 2 x0 - 1;  t ~ U{0..T-1},  eps ~ N(0, I),  x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps
//                 L = mean (eps - eps_theta(x_t, t, y))^2                                              (hw5.6)
//                 (unconditional: y = none; the fine-tune drops each label to "empty" with probability
//                 label_dropout, 0 in the course, which fine-tunes with labels always)
//   guided eps    eps^ = g eps_theta(x_t, t, y) + (1 - g) eps_theta(x_t, t, empty)     g = guidance (course: 3)
//   sample        x_T ~ N(0, I); ancestral DDPM steps of ReverseDiffusion(T, clip_range = (-1, 1)), or with
//                 `steps` S < T, deterministic DDIM (eta = 0) on S strided timesteps; out = clamp(x/2 + 1/2, 0, 1)
//
// One class for both stages: the model is conditional (batches carry labels, samples may be guided) when its UNet
// has a class embedding (num_labels > 0), unconditional otherwise (the first stage).
#pragma once
#include <memory>
#include <vector>

#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/samplers.h"
#include "models/diffusion/unet.h"

namespace dgm::models::diffusion {

class ConditionalDDPM : public DiffusionModel {
 public:
  ConditionalDDPM(int64_t num_timesteps, std::shared_ptr<UNet> model);

  // Draws t and the noise, then loss(x0, y, t, noise); batch.y is required when conditional and ignored otherwise.
  Losses loss(const Batch& batch) override;
  // The loss with given timesteps t (B) int64 and noise (B, 1, H, W); x0 in [0, 1], y undefined for none.
  Tensor loss(const Tensor& x0, const Tensor& y, const Tensor& t, const Tensor& noise);
  // options.labels (n) for guided samples (conditional only), options.guidance (0: guidance_scale), options.steps
  // (0: default_steps; 0 or T: ancestral DDPM; fewer: DDIM eta = 0).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // The same, calling on_step(t, x) after every step (trajectories).
  Tensor sample_with_steps(int64_t n, const SampleOptions& options, const StepCallback& on_step);

  Tensor predict_eps(const Tensor& x_t, const Tensor& t, const Tensor& y = {}) override;
  // eps^ = g eps(x_t, t, y) + (1 - g) eps(x_t, t, empty); eps(x_t, t, empty) alone when y is undefined.
  Tensor guided_eps(const Tensor& x_t, const Tensor& t, const Tensor& y, double g);
  const ReverseDiffusion& reverse_diffusion() const override { return reverse_; }
  Shape example_shape() const override { return {1, image_size, image_size}; }
  // clamp(x / 2 + 1 / 2, 0, 1)
  Tensor to_output(const Tensor& x) const override;

  int64_t num_classes() const override { return conditional ? model->num_labels : 0; }
  std::vector<std::string> sample_options() const override;
  // samples.png (guided, labels cycling over the classes), trajectory.png (x_t of the first samples along
  // sampling), forward_noise.png (the course's timestamps 0, 50, ..., 999 of T = 1000, scaled to T).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::string name() const override { return "ConditionalDDPM"; }
  std::string extra_repr() const override;

  int64_t num_timesteps;
  std::shared_ptr<UNet> model;
  bool conditional;             // model->num_labels > 0
  double label_dropout = 0;     // probability of an "empty" label in conditional training
  double guidance_scale = 3.0;  // the course's default g
  int64_t default_steps = 0;    // sampler steps when options.steps is 0 (0: T, ancestral)
  int64_t image_size = 32;
  ForwardDiffusion forward_diffusion;

 private:
  ReverseDiffusion reverse_;
};

}  // namespace dgm::models::diffusion
