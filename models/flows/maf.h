// Autoregressive flows with a MADE conditioner (the course's supplementary
// deck; lecture 2's Gaussian autoregressive flow z_j = (x_j - mu_j) / sigma_j):
//
//   MAFLayer (Papamakarios et al. 2017), (mu, a) = MADE(x), a = log sigma:
//     density  x -> z in ONE pass:  z = (x - mu(x)) * exp(-a(x)),   log|det dz/dx| = -sum_j a_j(x)
//     sampling z -> x in D passes:  x_j = z_j * exp(a_j(x_<j)) + mu_j(x_<j), one dimension (in the
//                                   MADE's order) fixed per pass; log|det dx/dz| = +sum_j a_j(x)
//   IAFLayer (Kingma et al. 2016), the same net conditioned on z, (mu, a) = MADE(z):
//     sampling z -> x in ONE pass:  x = z * exp(a(z)) + mu(z),          log|det dx/dz| = +sum_j a_j(z)
//     density  x -> z in D passes:  z_j = (x_j - mu_j(z_<j)) * exp(-a_j(z_<j)), log|det dz/dx| = -sum_j a_j(z)
//
// As FlowLayers both map data x to noise z in forward(x, false). The log scale
// is softly bounded for stability: a = B tanh(raw / B) with B = log_sigma_bound
// (default 5, so sigma in (e^-5, e^5)); a = raw near 0, and a zero net gives
// a = 0 and mu = 0: the identity.
//
//   Permutation: z = x[:, perm] (a fixed permutation; reverse() is D-1..0), log-det 0.
// Stacks alternate autoregressive layers with reversals, so every dimension is
// eventually conditioned on every other.
#pragma once
#include <memory>
#include <vector>

#include "models/flows/flow_layer.h"
#include "models/flows/made.h"

namespace dgm::models::flows {

// a = B tanh(raw / B): a soft bound |a| < B on the log scale.
Tensor bounded_log_sigma(const Tensor& raw, double bound);

class MAFLayer : public FlowLayer {
 public:
  MAFLayer(int64_t dim, std::vector<int64_t> hidden, double log_sigma_bound = 5.0, std::vector<int64_t> order = {});
  std::string name() const override { return "MAFLayer"; }
  std::string extra_repr() const override;
  FlowOutput forward(const Tensor& x, bool invert) override;

  std::shared_ptr<MADE> made;
  double log_sigma_bound;
};

class IAFLayer : public FlowLayer {
 public:
  IAFLayer(int64_t dim, std::vector<int64_t> hidden, double log_sigma_bound = 5.0, std::vector<int64_t> order = {});
  std::string name() const override { return "IAFLayer"; }
  std::string extra_repr() const override;
  FlowOutput forward(const Tensor& x, bool invert) override;

  std::shared_ptr<MADE> made;
  double log_sigma_bound;
};

class Permutation : public FlowLayer {
 public:
  // `perm` a permutation of 0..D-1: z[:, i] = x[:, perm[i]].
  explicit Permutation(std::vector<int64_t> perm);
  // D-1, ..., 0.
  static std::shared_ptr<Permutation> reverse(int64_t dim);
  std::string name() const override { return "Permutation"; }
  std::string extra_repr() const override;
  FlowOutput forward(const Tensor& x, bool invert) override;

  const std::vector<int64_t>& perm() const { return perm_; }

 private:
  std::vector<int64_t> perm_, inverse_;
};

}  // namespace dgm::models::flows
