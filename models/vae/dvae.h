// A discrete VAE (the course's supplementary deck: Gumbel-softmax and DALL-E's
// dVAE; lecture 4: discrete latents) on 28x28 binarized images: N categorical
// latents of K classes each, a uniform prior, a Bernoulli decoder.
//
//   encoder  x (B,1,28,28) -flatten, MLP-> logits (B, N, K),   q(c_n = k | x) = softmax(logits_n)_k
//   train    c = gumbel_softmax(logits, tau)  (relaxed one-hot; straight-through one-hot with `hard`)
//   eval     c = one_hot(argmax(logits + g)) (an exact draw from q: Gumbel-max), so the test loss is a true bound
//   decoder  c (B, N*K) -MLP-> Bernoulli logits (B,1,28,28)
//   KL(q(c|x) || Unif) = sum_n [ sum_k q_nk log q_nk + log K ] = sum_n (-H(q_n) + log K)   (closed form)
//   tau(step) = max(tau_min, tau_0 exp(-rate * step))
//
// The step is a buffer ("step", int64) counted by train_step, so a resumed run
// anneals exactly as a straight one. Losses, nats per image (batch mean):
//   recon_loss -log p(x|c);  kl_loss the KL above;  loss = recon_loss + kl_loss;  tau (logged).
// Samples: c uniform one-hot per latent, decoded to Bernoulli means.
#pragma once
#include <memory>
#include <vector>

#include "models/model.h"
#include "models/vae/importance_weighted.h"
#include "nn/modules/container.h"

namespace dgm::models::vae {

// KL(Categorical(softmax(logits)) || Uniform(K)) = sum_k q_k log q_k + log K, along `dim` (reduced).
Tensor kl_to_uniform(const Tensor& logits, int64_t dim = -1);

// tau = max(tau_min, tau_0 exp(-rate * step))
double gumbel_temperature(int64_t step, double tau_0, double tau_min, double rate);

struct DiscreteVAEOptions {
  int64_t latents = 20;                      // N
  int64_t classes = 10;                      // K
  std::vector<int64_t> hidden = {512, 256};  // encoder widths (the decoder mirrors them)
  double tau_0 = 1.0;
  double tau_min = 0.5;
  double anneal_rate = 5e-4;  // per training step
  bool hard = false;          // straight-through one-hot samples in training
};

class DiscreteVAE : public GenerativeModel, public ImportanceWeighted {
 public:
  explicit DiscreteVAE(DiscreteVAEOptions options = {});
  std::string name() const override { return "DiscreteVAE"; }
  std::string extra_repr() const override;

  // Logits of q(c|x): (B, N, K).
  Tensor encode(const Tensor& x);
  // Bernoulli logits of p(x|c) for c (B, N, K) (one-hot or relaxed): (B,1,28,28).
  Tensor decode(const Tensor& c);
  // The temperature of the next training step.
  double temperature() const;
  int64_t step() const;

  Losses loss(const Batch& batch) override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // log p(x|c) + log p(c) - log q(c|x) for K Gumbel-max (exact) draws c ~ q(c|x): (K, B).
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) override;

  const DiscreteVAEOptions& options() const { return options_; }

 private:
  DiscreteVAEOptions options_;
  std::shared_ptr<nn::Sequential> encoder_, decoder_;
  Tensor step_;  // int64 scalar buffer: training steps taken
};

}  // namespace dgm::models::vae
