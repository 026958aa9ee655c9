// A learned prior given by a normalizing flow (lecture 5: the NF-based
// learnable prior), here a MAF (models/flows/autoregressive_flow.h) over the
// latent z in R^D:
//
//   log p(z | lambda) = log N(f_lambda(z); 0, I) + log|det df_lambda/dz|   (one pass per MAF layer)
//   sampling          z = f_lambda^{-1}(eps), eps ~ N(0, I)                 (D passes per MAF layer)
//
// A MAF evaluates densities in one pass, which the VAE's KL term needs every
// step; its slow direction (sampling) is only used for pictures.
#pragma once
#include <memory>
#include <vector>

#include "models/flows/autoregressive_flow.h"
#include "models/vae/prior.h"

namespace dgm::models::vae {

class FlowPrior : public Prior {
 public:
  // `layers` MAF layers (reversals between them), each a MADE of the given hidden widths.
  FlowPrior(int64_t dim, int64_t layers = 3, std::vector<int64_t> hidden = {128, 128});
  std::string name() const override { return "FlowPrior"; }

  Tensor log_prob(const Tensor& z) override;
  Tensor sample(int64_t n, Device device, Generator* gen = nullptr) override;
  int64_t dim() const override { return flow_->options().dim; }

  flows::AutoregressiveFlow& flow() { return *flow_; }

 private:
  std::shared_ptr<flows::AutoregressiveFlow> flow_;
};

}  // namespace dgm::models::vae
