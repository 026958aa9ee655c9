// An image SN-GAN (Miyato et al. 2018; lecture 6's spectral normalization): a small DCGAN-style generator and a
// critic whose every convolution and linear layer is spectrally normalized (nn/modules/spectral_norm.h), trained
// with the hinge loss (gan_losses.h) on 32x32 images in [-1, 1], one critic step per generator step.
//
//   generator  z (z_dim) -> Linear -> (4w, 4, 4) -> [ConvTranspose2d 4x4 stride 2, BatchNorm2d, ReLU] x 2
//              -> ConvTranspose2d 4x4 stride 2 -> tanh: (C, 32, 32)
//   critic     [SN Conv2d 4x4 stride 2, LeakyReLU 0.2]: 32 -> 16 (w) -> 8 (2w) -> 4 (4w) -> SN Linear -> 1
//
// generate(n) maps the samples to [0, 1] ((x + 1) / 2, clamped), as every image model does.
#pragma once
#include <memory>

#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::gan {

class SNDCGAN : public GenerativeModel {
 public:
  SNDCGAN(int64_t channels, int64_t width, int64_t z_dim);
  std::string name() const override { return "SNDCGAN"; }
  std::map<std::string, std::vector<Tensor>> optimizer_groups() override;
  // Test-time hinge losses of the batch against as many fresh samples.
  Losses loss(const Batch& batch) override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  // Samples in [-1, 1], (n, C, 32, 32).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // Samples in [0, 1].
  Tensor generate(int64_t n, const SampleOptions& options = {}) override;

  Tensor critic_forward(const Tensor& x) { return critic->forward(x).reshape({-1}); }

  const int64_t channels, width, z_dim;
  std::shared_ptr<nn::Sequential> generator, critic;
};

}  // namespace dgm::models::gan
