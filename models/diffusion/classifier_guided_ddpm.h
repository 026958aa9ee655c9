// Classifier guidance as a `dgm train` model (lecture 10): the second stage of a trained unconditional DDPM (the
// parent, any DiffusionModel). Training fits only the classifier of noisy images p_phi(y | x_t, t)
// (noisy_classifier.h); the parent stays frozen (it is not a submodule, so neither its parameters nor its
// checkpoint are this model's):
//
//   loss      t ~ U{0..T-1}, x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,  CE = -log p_phi(y | x_t, t)
//             (logged beside it: "accuracy", the share of argmax_y p_phi(y | x_t, t) = y over the batch)
//   sample    x_T ~ N(0, I), the parent's sampler with eps^ = eps_theta(x_t, t) - gamma sqrt(1 - abar_t)
//             grad_x log p_phi(y | x_t, t)   (classifier_guidance.h), gamma = SampleOptions::guidance
//             (0: the parent's unguided samples); steps = 0: DDPM on all T timesteps, else DDIM (eta 0) on
//             strided_timesteps(T, steps)
//
// Pictures: samples.png (gamma = picture_gamma, labels cycling over the classes) and guidance.png (one row per
// gamma of 0, 1, 3, 5; one column per class, at most n_samples of them, the same x_T in every row).
#pragma once
#include <memory>
#include <vector>

#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/noisy_classifier.h"

namespace dgm::models::diffusion {

class ClassifierGuidedDDPM : public GenerativeModel {
 public:
  // picture_steps: the sampler steps of the pictures (0: DDPM on all timesteps).
  ClassifierGuidedDDPM(std::shared_ptr<DiffusionModel> parent, int64_t width = 32, int64_t classes = 10,
                       int64_t picture_steps = 0, double picture_gamma = 3);
  std::string name() const override { return "ClassifierGuidedDDPM"; }

  // batch.x in the parent's model space (B, C, 32, 32), batch.y (B) int64 -> {"loss", "accuracy"}
  Losses loss(const Batch& batch) override;
  // options.labels (n) int64 required; options.guidance = gamma >= 0; options.steps as above.
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  int64_t num_classes() const override { return classifier->classes; }
  std::vector<std::string> sample_options() const override { return {"labels", "guidance", "steps"}; }

  // log p_phi(y | x_t, t) for each example (B).
  Tensor log_prob(const Tensor& x_t, const Tensor& t, const Tensor& y);

  std::shared_ptr<DiffusionModel> parent;
  std::shared_ptr<NoisyClassifier> classifier;
  ForwardDiffusion forward_diffusion;
  int64_t picture_steps;
  double picture_gamma;
};

}  // namespace dgm::models::diffusion
