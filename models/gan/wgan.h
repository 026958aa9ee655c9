// The Wasserstein GANs of homework 3 task 3 (lecture 6, seminar 6), on 32x32 images in [-1, 1]:
//
//   WGAN(input_size = 128, n_channels = 64, clip_c = none, image_channels = 3, n_critic = 5)
//     generator G = ConvGenerator, critic f = ConvCritic (clipped into [-clip_c, clip_c] when clip_c is set)
//     loss_generator(B)      generator_loss     = -E_z f(G(z))                                    (hw3.10)
//     loss_discriminator(x)  critic_loss_fake   =  E_z f(G(z))
//                            critic_loss_real   = -E_x f(x)
//                            critic_loss        =  critic_loss_fake + critic_loss_real   (-W estimate)
//   WGAN_GP(gp_weight = 10, ...): no clipping; loss_discriminator adds                           (hw3.11)
//                            gradient_penalty_loss = gp_weight * E_t (||d f(x_t) / d x_t||_2 - 1)^2,
//                            x_t = t x + (1 - t) G(z), t ~ U[0, 1] per example (penalties.h)
//                            critic_loss        += gradient_penalty_loss
//
// train_step (model-owned, two optimizers "critic" and "generator"): every call is one critic step on the batch
// (then the clipping, when clip_c is set); every n_critic-th call also one generator step, so a generator step
// follows n_critic critic steps. The call count is a buffer, in the checkpoint: a resumed run keeps the cycle.
// sample(n) returns G(z) in [-1, 1] (the course's sample); generate(n) maps it to images in [0, 1].
// The pictures of a run: samples.png and critic_weights.png (histogram of the critic's weights: after clipping,
// most of them pile up at -c and +c, as seminar 6 shows).
#pragma once
#include <memory>
#include <optional>

#include "models/gan/conv_critic.h"
#include "models/gan/conv_generator.h"
#include "models/model.h"

namespace dgm::models::gan {

class WGAN : public GenerativeModel {
 public:
  explicit WGAN(int64_t input_size = 128, int64_t n_channels = 64, std::optional<double> clip_c = std::nullopt,
                int64_t image_channels = 3, int64_t n_critic = 5);
  std::string name() const override { return "WGAN"; }
  std::string extra_repr() const override;

  // z ~ N(0, I) of shape (n, input_size) on the parameters' device.
  Tensor noise(int64_t n, Generator* gen = nullptr) const;
  // {"generator_loss"} on batch_size fresh samples, differentiable in the generator.
  Losses loss_generator(int64_t batch_size, Generator* gen = nullptr);
  // The critic's losses of real images x against batch-size fresh samples (drawn without a graph).
  Losses loss_discriminator(const Tensor& x, Generator* gen = nullptr);
  // The critic's losses of real against fake (same shape); gen draws what the losses draw (WGAN-GP's t).
  virtual Losses critic_losses(const Tensor& real, const Tensor& fake, Generator* gen = nullptr);
  // {"generator_loss"} of fake images already drawn, -E f(fake).
  Losses generator_losses(const Tensor& fake);

  // loss_discriminator(x) and loss_generator(B) together (the logged and evaluated losses).
  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // (sample(n) + 1) / 2 clamped to [0, 1].
  Tensor generate(int64_t n, const SampleOptions& options = {}) override;
  std::map<std::string, std::vector<Tensor>> optimizer_groups() override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  int64_t input_size, n_channels, image_channels, n_critic;
  std::optional<double> clip_c;
  std::shared_ptr<ConvGenerator> generator;
  std::shared_ptr<ConvCritic> critic;
  Tensor calls;  // training steps so far (int64 buffer)

 protected:
  void check_images(const Tensor& x, const char* who) const;
};

class WGAN_GP : public WGAN {
 public:
  explicit WGAN_GP(double gp_weight = 10, int64_t input_size = 128, int64_t n_channels = 64, int64_t image_channels = 3,
                   int64_t n_critic = 5);
  std::string name() const override { return "WGAN_GP"; }
  std::string extra_repr() const override;
  // E_t (||d f(x_t) / d x_t||_2 - 1)^2 (penalties.h), differentiable in the critic (double backward). Under
  // NoGradGuard (evaluation) it is computed with grad mode on and returned detached.
  Tensor gradient_penalty(const Tensor& real, const Tensor& fake, Generator* gen = nullptr);
  Losses critic_losses(const Tensor& real, const Tensor& fake, Generator* gen = nullptr) override;

  double gp_weight;
};

}  // namespace dgm::models::gan
