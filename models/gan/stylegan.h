// Seminar 7's MicroStyleGAN with the R1 penalty and progressive growing, as a GenerativeModel.
//
//   data: real images x in [-1, 1] at the final resolution (32x32); at stage s they are average-pooled to
//     4 * 2^s (avg_pool2d with kernel 32 / (4 * 2^s)), the real side of the fade-in is not blended.
//   discriminator_loss = mean softplus(-D(x)) + mean softplus(D(G(z))) + gamma / 2 * r1,   (non-saturating GAN)
//     r1 = mean_i ||d D(x_i) / d x_i||^2 at the real images (models/gan/penalties.h, double backward)
//   generator_loss = mean softplus(-D(G(z)))
// train_step: one discriminator step ("discriminator" optimizer) on every call, one generator step ("generator")
// on every critic_steps-th call (the course: 1). The step count is a buffer ("step", int64) saved in the
// checkpoint, and the stage and fade-in alpha are progress_at(schedule, step) (stylegan_schedule.h), so a
// resumed run grows exactly as a straight one. loss() also logs r1, the resolution and alpha.
//
// generate(n) (and sample) draws z ~ N(0, I) at the current stage and alpha and returns (n, C, 32, 32) in [0, 1]:
// (image + 1) / 2, clamped, upsampled bilinearly to 32x32 while training is at a lower stage. SampleOptions has no
// truncation slot, so the truncation trick is generate_truncated(n, psi, gen, z_bound) (stylegan_truncation.h).
#pragma once
#include <memory>

#include "models/gan/stylegan_discriminator.h"
#include "models/gan/stylegan_generator.h"
#include "models/gan/stylegan_schedule.h"
#include "models/model.h"

namespace dgm::models::gan {

struct StyleGANOptions {
  MicroStyleGANGeneratorOptions generator;
  std::vector<int64_t> discriminator_channels = {256, 256, 256, 256};  // per stage, as the generator's
  double gamma = 1.0;                                                  // R1 weight (applied as gamma / 2)
  int64_t critic_steps = 1;
  ProgressiveSchedule schedule;
  int64_t w_mean_draws = 4096;  // z draws whose mapped mean is w_mean (truncation)
};

class StyleGAN : public GenerativeModel {
 public:
  explicit StyleGAN(StyleGANOptions options);
  std::string name() const override { return "StyleGAN"; }
  std::string extra_repr() const override;

  std::map<std::string, std::vector<Tensor>> optimizer_groups() override;
  Losses loss(const Batch& batch) override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png; truncation.png (rows: psi 0.5, 0.7, 1.0 of the same z, one column per z);
  // noise.png (rows: one z each; columns: the same w with fresh noise maps).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // Images in [0, 1] at the final resolution from w, at the current progress.
  Tensor images_from_w(const Tensor& w, Generator* gen);
  // Samples with w' = w_mean + psi (w - w_mean); z ~ N(0, I) truncated to [-z_bound, z_bound] when z_bound > 0.
  Tensor generate_truncated(int64_t n, double psi, Generator* gen = nullptr, double z_bound = 0);
  // Mean of mapping(z) over w_mean_draws draws z ~ N(0, I) from gen: (w_dim).
  Tensor w_mean(Generator* gen = nullptr);
  // Real images (B, C, 32, 32) average-pooled to the resolution of `stage`.
  Tensor real_at(const Tensor& x, int64_t stage) const;

  int64_t step() const;
  Progress progress() const { return progress_at(options_.schedule, step()); }
  const StyleGANOptions& options() const { return options_; }

  std::shared_ptr<MicroStyleGANGenerator> generator;
  std::shared_ptr<MicroStyleGANDiscriminator> discriminator;

 private:
  Tensor draw_z(int64_t n, const Tensor& like, Generator* gen) const;
  Tensor discriminator_loss(const Tensor& real, const Tensor& fake, const Progress& p, Tensor* r1);
  int64_t final_resolution() const;
  StyleGANOptions options_;
  Tensor step_;  // int64 scalar buffer: train_step calls so far
};

}  // namespace dgm::models::gan
