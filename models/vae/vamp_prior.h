// The VampPrior (Tomczak & Welling 2018; the course's supplementary deck, and
// lecture 5's ELBO surgery: the optimal prior is the aggregated posterior
// (1/n) sum_i q(z|x_i)): a mixture of the VAE's own posterior at K learned
// pseudo-inputs u_k,
//
//   p(z) = (1/K) sum_k q(z | u_k)
//   log p(z) = logsumexp_k log N(z; mu(u_k), sigma(u_k)^2) - log K     (diagonal Gaussians)
//   sampling: k ~ Uniform(K), then z ~ q(z | u_k)
//
// The pseudo-inputs are u = sigmoid(w), w a (K, input shape...) parameter
// initialized from N(0, 1) noise (the run has no data at construction), so
// each u is a [0,1] image like the binarized data.
// The encoder is the VAE's: the VAE owns both the encoder and this prior, and
// hands the prior a non-owning function x -> (mu, log sigma) (no ownership
// cycle; the function must not outlive the VAE).
#pragma once
#include <functional>
#include <utility>

#include "models/vae/prior.h"

namespace dgm::models::vae {

class VampPrior : public Prior {
 public:
  // x (B, input shape...) -> (mu, log sigma), each (B, D)
  using Encoder = std::function<std::pair<Tensor, Tensor>(const Tensor&)>;

  VampPrior(int64_t dim, Shape input_shape, int64_t pseudo_inputs, Encoder encoder);
  std::string name() const override { return "VampPrior"; }
  std::string extra_repr() const override;

  Tensor log_prob(const Tensor& z) override;
  Tensor sample(int64_t n, Device device, Generator* gen = nullptr) override;
  int64_t dim() const override { return dim_; }

  // u = sigmoid(w): (K, input shape...)
  Tensor pseudo_inputs() const;
  int64_t num_pseudo_inputs() const { return weight.size(0); }

  Tensor weight;  // w, the pseudo-inputs before the sigmoid

 private:
  int64_t dim_;
  Encoder encoder_;
};

}  // namespace dgm::models::vae
