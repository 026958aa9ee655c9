// A Gaussian mixture as a module (seminar 4's GMM(nn.Module)):
//
//   p(x) = sum_k pi_k N(x; mu_k, Sigma_k),  x in R^D, k = 1..K
//   pi = softmax(logits)                         (K) unconstrained logits
//   Sigma_k = L_k L_k^T, L_k lower triangular,   L_k,ii = exp(log_diag_k,i) > 0,
//                                                L_k,ij = tril_k,(i(i-1)/2 + j) for i > j
// so every parameter value gives weights on the simplex and SPD covariances.
//
// log N(x; mu, L L^T) = -1/2 |z|^2 - sum_i log L_ii - D/2 log(2 pi),  z = L^{-1} (x - mu),
// z by forward substitution z_i = (x_i - mu_i - sum_{j<i} L_ij z_j) / L_ii (D autograd steps;
// no matrix inverse). log p(x) = logsumexp_k [log pi_k + log N(x; mu_k, Sigma_k)].
// Responsibilities (the posterior over components): r_k(x) = exp(log pi_k + log N_k - log p(x)).
//
// The computation follows the dtype of the parameters (float32 for gradient
// training, float64 for EM: gm.to(kFloat64)); x is converted to it.
#pragma once
#include "models/lvm/em.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models::lvm {

class GaussianMixture : public nn::Module {
 public:
  // Means drawn from N(0, mean_std^2 I) (default generator), weights equal,
  // Sigma_k = scale^2 I.
  GaussianMixture(int64_t components, int64_t dim, double mean_std = 1.0, double scale = 1.0);
  std::string name() const override { return "GaussianMixture"; }
  std::string extra_repr() const override;

  int64_t components() const { return K_; }
  int64_t dim() const { return D_; }

  // log N(x; mu_k, Sigma_k) for every point and component: x (B,D) -> (B,K).
  Tensor component_log_prob(const Tensor& x) const;
  // log pi_k + log N(x; mu_k, Sigma_k): (B,K).
  Tensor joint_log_prob(const Tensor& x) const;
  // log p(x): (B).
  Tensor log_prob(const Tensor& x) const;
  // r_ik = p(z = k | x_i): (B,K), rows sum to 1.
  Tensor responsibilities(const Tensor& x) const;
  // log pi: (K).
  Tensor log_weights() const;
  // n draws: z ~ Categorical(pi), x = mu_z + L_z eps, eps ~ N(0, I); (n,D) in the parameters' dtype.
  Tensor sample(int64_t n, Generator* gen = nullptr) const;

  // The parameters as weights, means and covariances in float64 (no graph).
  MixtureParams params() const;
  // Writes weights, means and covariances into the parameters (logits = log pi,
  // L = cholesky(Sigma)), in place and without a graph.
  void set_params(const MixtureParams& p);

  Tensor logits, means, log_diag, tril;  // (K), (K,D), (K,D), (K, D(D-1)/2)

 private:
  int64_t K_, D_;
};

}  // namespace dgm::models::lvm
