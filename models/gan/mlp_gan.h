// The toy GANs of seminar 6 and lecture 6 on 1-D and 2-D points: an MLP generator and an MLP critic, trained by
// the model's own train_step with two optimizers, "generator" and "critic":
//
//   every call:            the critic takes one step on its loss (real batch, a fresh detached fake batch);
//                          WGAN clips every critic weight to [-c, c] after it, WGAN-GP adds lambda * GP
//   every n_critic-th call: the generator takes one step on its loss (a fresh fake batch)
//
// The losses (gan_losses.h), by `loss`:
//   "gan"      saturating minimax loss        "nsgan"   non-saturating loss (softplus)
//   "wgan"     Wasserstein, weight clipping    "wgan-gp" Wasserstein + gradient penalty on interpolates
//   "hinge"    hinge loss (with spectral_norm: SN-GAN)
//   "fgan-kl", "fgan-pearson"   f-GAN with the KL or Pearson chi^2 conjugate
//
// Networks (seminar 6): generator noise_dim -> hidden (ReLU) -> data_dim; critic data_dim -> hidden (LeakyReLU
// 0.2) -> 1, its Linear layers spectrally normalized when spectral_norm. Noise: U[-0.5, 0.5] ("uniform", the 1-D
// GAN) or N(0, I) ("normal"). The call count is a buffer, so a resumed run continues the critic/generator cycle.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::gan {

struct MLPGANConfig {
  std::string loss = "nsgan";
  int64_t data_dim = 2, noise_dim = 16;
  std::string noise = "normal";  // or "uniform": U[-0.5, 0.5]
  std::vector<int64_t> generator_hidden{32, 128, 128, 32};
  std::vector<int64_t> critic_hidden{64, 256, 256, 64};
  int64_t n_critic = 1;
  double clip_value = 0.01;  // "wgan"
  double gp_lambda = 10;     // "wgan-gp"
  bool spectral_norm = false;
  bool ring_metrics = false;  // loss() adds the 8-Gaussians mode coverage of its samples
};

class MLPGAN : public GenerativeModel {
 public:
  explicit MLPGAN(MLPGANConfig config);
  std::string name() const override { return "MLPGAN"; }

  std::map<std::string, std::vector<Tensor>> optimizer_groups() override;
  // Test-time losses on a batch: critic_loss (without the gradient penalty, which needs a graph),
  // generator_loss, and for the ring "modes" (modes hit of 8) and "high_quality" (share within 3 sigma) of
  // 2048 fresh samples; for 1-D data "right_share" (share of samples > 0; the data's is 0.3).
  Losses loss(const Batch& batch) override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png, critic.png and critic_grad_norm.png (2-D) or critic.png curves (1-D), and
  // critic_weights.png (the histogram).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  Tensor critic_forward(const Tensor& x) { return critic->forward(x).reshape({-1}); }
  Tensor critic_loss(const Tensor& real_scores, const Tensor& fake_scores) const;
  Tensor generator_loss(const Tensor& fake_scores) const;
  // Every critic weight and bias into [-c, c] (WGAN), in place.
  void clip_critic_weights();

  const MLPGANConfig config;
  std::shared_ptr<nn::Sequential> generator, critic;
  Tensor calls;
};

}  // namespace dgm::models::gan
