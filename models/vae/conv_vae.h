// A convolutional VAE for 28x28 binarized images (MNIST), as in the course's
// homework 2 and lecture 4:
//
//   encoder  x (B,1,28,28) -conv 3x3 s2-> 32x14x14 -conv 3x3 s2-> 64x7x7 -linear-> (mu, log sigma^2) in R^16
//   z = mu + sigma * eps,  eps ~ N(0, I)                       (reparametrization)
//   decoder  z -linear-> 64x7x7 -convT 4x4 s2-> 32x14x14 -convT 4x4 s2-> logits (B,1,28,28)
//
// The likelihood is Bernoulli: p(x|z) = prod sigmoid(logits)^x (1-sigmoid(logits))^(1-x).
// loss(x) returns, in nats per image (averaged over the batch):
//   recon = -log p(x|z) = sum over pixels of BCE-with-logits
//   kl    = KL(q(z|x) || N(0,I)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)
//   loss  = recon + kl = the negative ELBO
#pragma once
#include <memory>

#include "models/model.h"
#include "models/vae/importance_weighted.h"
#include "nn/modules/conv.h"
#include "nn/modules/linear.h"

namespace dgm::models {

class ConvVAE : public GenerativeModel, public vae::ImportanceWeighted {
 public:
  explicit ConvVAE(int64_t latent_dim = 16);
  std::string name() const override { return "ConvVAE"; }
  std::string extra_repr() const override;

  // (mu, log sigma^2) of q(z|x), each (B, latent_dim)
  std::pair<Tensor, Tensor> encode(const Tensor& x);
  // Bernoulli logits of p(x|z), (B,1,28,28)
  Tensor decode(const Tensor& z);

  Losses loss(const Batch& batch) override;
  // Means of p(x|z) for z ~ N(0, I): probabilities in [0,1], (n,1,28,28).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // Means of p(x|z) for z = mu(x): reconstructions in [0,1].
  Tensor reconstruct(const Tensor& x);
  // log w = log p(x|z) + log N(z; 0, I) - log q(z|x), z ~ q(z|x): (K, B), for IWAE bounds (models/vae/iwae.h).
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) override;
  // samples.png, and reconstructions.png: rows of originals over their reconstructions.
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  int64_t latent_dim() const { return latent_dim_; }

 private:
  int64_t latent_dim_;
  std::shared_ptr<nn::Conv2d> enc1_, enc2_;
  std::shared_ptr<nn::Linear> enc_fc_, dec_fc_;
  std::shared_ptr<nn::ConvTranspose2d> dec1_, dec2_;
};

}  // namespace dgm::models
