// Homework 2's ResNet VAE (COURSE.md §1.2 task 3; lecture 4, seminar 5) on images centred to [-1, 1]:
//
//   encoder  ConvResNetEncoder(input_shape, n_latent, channels)                          (hw2.10)
//            x (B,C,H,W) -> ResNetBlock(C, c0, 3, 2) -> ResNetBlock(c0, c1, 3, 2) -> ... -> flatten
//            -> Linear -> (mu_z, log_std_z), each (B, n_latent)          (one stride-2 block per width)
//   decoder  ConvResNetDecoder(n_latent, output_shape, channels)                         (hw2.10)
//            z -> Linear -> reshape (B, c_last, H / 2^n, W / 2^n) -> ResNetTransposeBlock(c_i, c_{i-1}, 3, 2)
//            for the widths backwards, the last c0 -> c0 -> elu -> a 3x3 "same" conv to C channels = mu_x
//   model    ConvResNetVAE(input_shape, n_latent, beta = 1, channels)                    (hw2.11)
//            prior p(z) = N(0, I); q(z|x) = N(mu_z, exp(log_std_z)^2); p(x|z) = N(mu_x(z), I)
//            z = mu_z + exp(log_std_z) eps, eps ~ N(0, I)                          (reparametrization)
//            recon_loss = mean over the batch of sum over pixels of get_normal_nll(x, mu_x, 0)
//            kl_loss    = mean over the batch of sum over latents of get_normal_KL(mu_z, log_std_z)
//            elbo_loss  = recon_loss + beta kl_loss   (beta = 1: the negative ELBO, nats per image on [-1,1])
//            sample(n)  = clamp(mu_x(z), -1, 1) * 0.5 + 0.5 for z ~ N(0, I), in [0, 1]
//
// H and W must be divisible by 2^(number of widths): 28 -> 14 -> 7 with two widths (MNIST),
// 32 -> 16 -> 8 -> 4 with three (CIFAR-10). The BatchNorms use batch statistics in training and their
// running statistics in evaluation mode (test losses, pictures, importance weights in `dgm eval`).
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "models/model.h"
#include "models/vae/importance_weighted.h"
#include "models/vae/resnet_blocks.h"
#include "nn/modules/linear.h"

namespace dgm::models::vae {

class ConvResNetEncoder : public nn::Module {
 public:
  // input_shape (C, H, W); channels: the widths of the stride-2 ResNetBlocks.
  ConvResNetEncoder(std::vector<int64_t> input_shape, int64_t n_latent, std::vector<int64_t> channels = {32, 64});
  // x (B, C, H, W) -> (mu_z, log_std_z), each (B, n_latent)
  std::pair<Tensor, Tensor> encode(const Tensor& x);
  std::string name() const override { return "ConvResNetEncoder"; }

  std::vector<int64_t> input_shape;
  int64_t n_latent;
  std::vector<int64_t> channels;
  // Registered as "block0", "block1", ... and "fc".
  std::vector<std::shared_ptr<ResNetBlock>> blocks;
  std::shared_ptr<nn::Linear> fc;
};

class ConvResNetDecoder : public nn::Module {
 public:
  // output_shape (C, H, W); channels: the encoder's widths (the decoder walks them backwards).
  ConvResNetDecoder(int64_t n_latent, std::vector<int64_t> output_shape, std::vector<int64_t> channels = {32, 64});
  // z (B, n_latent) -> mu_x (B, C, H, W)
  Tensor forward(const Tensor& z) override;
  std::string name() const override { return "ConvResNetDecoder"; }

  int64_t n_latent;
  std::vector<int64_t> output_shape, channels;
  // Registered as "fc", "block0", "block1", ... and "out_conv".
  std::shared_ptr<nn::Linear> fc;
  std::vector<std::shared_ptr<ResNetTransposeBlock>> blocks;
  std::shared_ptr<SameConv2d> out_conv;
};

// What one pass of the VAE gives: q(z|x)'s parameters and the decoder's mean at the drawn z.
struct VAEOutput {
  Tensor mu_z, log_std_z, x_recon;
};

class ConvResNetVAE : public GenerativeModel, public ImportanceWeighted {
 public:
  ConvResNetVAE(std::vector<int64_t> input_shape, int64_t n_latent, double beta = 1.0,
                std::vector<int64_t> channels = {32, 64});
  std::string name() const override { return "ConvResNetVAE"; }
  std::string extra_repr() const override;

  // n draws of N(0, I), (n, n_latent), on the model's device.
  Tensor prior(int64_t n, Generator* gen = nullptr);
  // x (B,C,H,W) -> q(z|x), z = mu_z + exp(log_std_z) eps, mu_x(z); eps (B, n_latent), drawn from the prior
  // when not given.
  VAEOutput forward(const Tensor& x, const Tensor& eps);
  using nn::Module::forward;
  // {"elbo_loss", "recon_loss", "kl_loss"} of a batch in [-1, 1]; eps as forward's.
  Losses loss(const Tensor& x, const Tensor& eps);
  Losses loss(const Batch& batch) override { return loss(batch.x, Tensor()); }
  // Decoder means of prior draws, clamped to [-1, 1] and mapped to [0, 1].
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;

  // Given code (not homework): the decoder's mean at z = mu_z(x), in [0, 1] as sample's.
  Tensor reconstruct(const Tensor& x);
  // Decoder means along z = (1 - alpha) mu_z(x1) + alpha mu_z(x2) for alpha in linspace(0, 1, steps), in [0, 1]:
  // (B * steps, C, H, W), the steps of each pair together.
  Tensor interpolate(const Tensor& x1, const Tensor& x2, int64_t steps = 10);
  // samples.png; reconstructions.png (rows of originals over their reconstructions);
  // interpolations.png (10 pairs of test images x 10 steps, a row per pair).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // log w_k = log p(x|z_k) + log N(z_k; 0, I) - log q(z_k|x), (K, B), z_k = mu_z + exp(log_std_z) eps_k.
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) override;
  // The same for given noise eps (K, B, n_latent).
  Tensor log_importance_weights_with_noise(const Tensor& x, const Tensor& eps);

  std::vector<int64_t> input_shape;
  int64_t n_latent;
  double beta;
  std::shared_ptr<ConvResNetEncoder> encoder;
  std::shared_ptr<ConvResNetDecoder> decoder;
};

}  // namespace dgm::models::vae
