#include "models/lvm/gmm_mle.h"

#include "models/lvm/gmm_pictures.h"

namespace dgm::models::lvm {

GmmMle::GmmMle(int64_t components, int64_t dim, double mean_std) {
  mixture = register_module("mixture", std::make_shared<GaussianMixture>(components, dim, mean_std));
}

Losses GmmMle::loss(const Batch& batch) {
  // NLL = -mean_i log p(x_i)
  return {{"loss", -mixture->log_prob(batch.x).mean()}};
}

Tensor GmmMle::sample(int64_t n, const SampleOptions& options) { return mixture->sample(n, options.gen); }

void GmmMle::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  save_gmm_density(dir, *mixture, test_batch);
}

}  // namespace dgm::models::lvm
