#include "models/lvm/gmm_vem.h"

#include "models/lvm/gmm_pictures.h"
#include "models/train/optimizers.h"
#include "nn/functional/softmax.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"

namespace dgm::models::lvm {

GmmVem::GmmVem(int64_t components, int64_t dim, double mean_std, int64_t hidden) {
  mixture = register_module("mixture", std::make_shared<GaussianMixture>(components, dim, mean_std));
  encoder = register_module("encoder", std::make_shared<nn::Sequential>(
                                           std::make_shared<nn::Linear>(dim, hidden), std::make_shared<nn::ReLU>(),
                                           std::make_shared<nn::Linear>(hidden, hidden), std::make_shared<nn::ReLU>(),
                                           std::make_shared<nn::Linear>(hidden, components)));
}

std::map<std::string, std::vector<Tensor>> GmmVem::optimizer_groups() {
  return {{"encoder", encoder->parameters()}, {"mixture", mixture->parameters()}};
}

Losses GmmVem::loss(const Batch& batch) {
  const Tensor joint = mixture->joint_log_prob(batch.x);                           // log pi_k + log N_k, (B,K)
  const Tensor log_q = nn::functional::log_softmax(encoder->forward(batch.x), 1);  // (B,K)
  // ELBO = sum_k q_k (joint_k - log q_k)
  const Tensor elbo = (log_q.exp() * (joint - log_q)).sum({1});
  const Tensor nll = -joint.logsumexp({1}).mean();  // -log p(x)
  const Tensor neg_elbo = -elbo.mean();
  return {{"loss", neg_elbo}, {"nll", nll}, {"kl", neg_elbo - nll}};
}

Losses GmmVem::train_step(const Batch& batch, train::Optimizers& optimizers) {
  const std::string& key = optimizers.loss_key();
  // E-step: q(z|x) towards p(z|x) (only the encoder moves)
  optimizers.zero_grad("encoder");
  Losses e = loss(batch);
  DGM_CHECK(e.count(key), "GmmVem: loss() has no \"", key, "\" entry (the spec's loss key)");
  e.at(key).backward();
  optimizers.step("encoder");
  // M-step: the mixture up the ELBO at the new q (only the mixture moves)
  optimizers.zero_grad("mixture");
  Losses m = loss(batch);
  m.at(key).backward();
  optimizers.step("mixture");
  return e;
}

Tensor GmmVem::sample(int64_t n, const SampleOptions& options) { return mixture->sample(n, options.gen); }

void GmmVem::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  save_gmm_density(dir, *mixture, test_batch);
}

}  // namespace dgm::models::lvm
