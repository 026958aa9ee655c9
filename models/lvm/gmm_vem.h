// `gmm-vem` (seminar 4, "Variational EM: gradient E and M steps"): a
// GaussianMixture p(x, z) = pi_z N(x; mu_z, Sigma_z) and an amortized
// variational posterior q(z | x) = Categorical(softmax(f(x))), f an MLP
// 2 -> 64 -> 64 -> K. Amortized rather than one table of q per point because the
// trainer's batches carry no point index, and so that the test ELBO is defined.
//
//   ELBO(x) = sum_k q_k(x) [log pi_k + log N(x; mu_k, Sigma_k) - log q_k(x)]
//           = log p(x) - KL(q(z|x) || p(z|x))      (exact: the sum over k, no sampling)
//
// train_step on each batch: E-step, one Adam step of the encoder ("encoder")
// on -ELBO; then M-step, one Adam step of the mixture ("mixture") on -ELBO
// with the updated q. Losses (nats per point): loss = -ELBO, nll = -log p(x)
// (exact, by logsumexp), kl = loss - nll = KL(q || p(z|x)) >= 0.
#pragma once
#include "models/lvm/gaussian_mixture.h"
#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::lvm {

class GmmVem : public GenerativeModel {
 public:
  GmmVem(int64_t components, int64_t dim, double mean_std, int64_t hidden = 64);
  std::string name() const override { return "GmmVem"; }
  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::map<std::string, std::vector<Tensor>> optimizer_groups() override;
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  std::shared_ptr<GaussianMixture> mixture;
  std::shared_ptr<nn::Sequential> encoder;  // x -> logits of q(z | x)
};

}  // namespace dgm::models::lvm
