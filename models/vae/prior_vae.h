// A VAE with a pluggable prior (lecture 5: learnable priors; the
// supplementary deck: VampPrior, flow priors) on 28x28 binarized images. One
// architecture for every prior, so that their ELBOs compare:
//
//   encoder  x (B,1,28,28) -flatten, MLP-> (mu, log sigma) in R^D      q(z|x) = N(mu, sigma^2)
//   z = mu + sigma * eps                                                (reparametrization)
//   decoder  z -MLP-> Bernoulli logits (B,1,28,28)
//   prior    "normal" N(0, I) | "flow" a MAF (flow_prior.h) | "vamp" (1/K) sum_k q(z|u_k) (vamp_prior.h)
//
// Losses, nats per image (batch mean):
//   recon_loss  -log p(x|z) = sum over pixels of BCE-with-logits
//   kl_loss     "normal": KL(q || N(0, I)) in closed form (get_normal_KL);
//               otherwise one sample: log q(z|x) - log p(z), log q = -get_normal_nll (same z as recon)
//   elbo_loss   recon_loss + kl_loss = the negative ELBO (the spec's loss key)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/vae/importance_weighted.h"
#include "models/vae/prior.h"
#include "nn/modules/container.h"

namespace dgm::models::vae {

// One-sample estimate of KL(q(z|x) || p(z)) per row: log q(z|x) - log p(z) for z (B, D) drawn from
// q = N(mu, e^{2 log_sigma}): (B).
Tensor sampled_kl(const Tensor& z, const Tensor& mu, const Tensor& log_sigma, Prior& prior);

struct PriorVAEOptions {
  std::string prior = "normal";                   // "normal", "flow" or "vamp"
  int64_t latent_dim = 16;                        // D
  std::vector<int64_t> hidden = {512, 256};       // encoder widths (the decoder mirrors them)
  int64_t flow_layers = 3;                        // "flow": MAF layers
  std::vector<int64_t> flow_hidden = {128, 128};  // "flow": MADE widths
  int64_t pseudo_inputs = 100;                    // "vamp": K
};

class PriorVAE : public GenerativeModel, public ImportanceWeighted {
 public:
  explicit PriorVAE(PriorVAEOptions options = {});
  std::string name() const override { return "PriorVAE"; }
  std::string extra_repr() const override;

  // (mu, log sigma) of q(z|x), each (B, D).
  std::pair<Tensor, Tensor> encode(const Tensor& x);
  // Bernoulli logits of p(x|z): (B,1,28,28).
  Tensor decode(const Tensor& z);

  Losses loss(const Batch& batch) override;
  // Bernoulli means of p(x|z) for z drawn from the prior: (n,1,28,28) in [0,1].
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png, and reconstructions.png: rows of originals over the means of p(x | z = mu(x)).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  // log p(x|z) + log p(z) - log q(z|x) for z ~ q(z|x): (K, B).
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) override;

  Prior& prior() { return *prior_; }
  const PriorVAEOptions& options() const { return options_; }

 private:
  PriorVAEOptions options_;
  std::shared_ptr<nn::Sequential> encoder_, decoder_;
  std::shared_ptr<Prior> prior_;
};

}  // namespace dgm::models::vae
