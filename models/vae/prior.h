// The prior p(z) of a VAE, as one interface (lecture 5: the ELBO's KL term is
// E_q[log q(z|x) - log p(z)], so a learned p(z) only needs log_prob and sample):
//
//   StandardNormalPrior   p(z) = N(0, I)                 (closed-form KL against a Gaussian q)
//   (models/vae/flow_prior.h, vamp_prior.h: learned priors)
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models::vae {

class Prior : public nn::Module {
 public:
  // log p(z) per row: z (B, D) -> (B)
  virtual Tensor log_prob(const Tensor& z) = 0;
  // n draws (n, D) on `device`
  virtual Tensor sample(int64_t n, Device device, Generator* gen = nullptr) = 0;
  virtual int64_t dim() const = 0;
  // True when KL(N(mu, sigma^2) || p) has a closed form that a model may use instead of sampling.
  virtual bool is_standard_normal() const { return false; }
};

class StandardNormalPrior : public Prior {
 public:
  explicit StandardNormalPrior(int64_t dim) : dim_(dim) {}
  std::string name() const override { return "StandardNormalPrior"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }
  // log N(z; 0, I) = -|z|^2 / 2 - D log(2 pi) / 2
  Tensor log_prob(const Tensor& z) override;
  Tensor sample(int64_t n, Device device, Generator* gen = nullptr) override;
  int64_t dim() const override { return dim_; }
  bool is_standard_normal() const override { return true; }

 private:
  int64_t dim_;
};

}  // namespace dgm::models::vae
