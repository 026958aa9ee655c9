// `gmm-mle` (seminar 4, "GMM by gradient MLE"): a GaussianMixture trained by
// Adam on minibatches to maximize the likelihood.
//   loss = -1/B sum_i log p(x_i)   (nats per point)
#pragma once
#include "models/lvm/gaussian_mixture.h"
#include "models/model.h"

namespace dgm::models::lvm {

class GmmMle : public GenerativeModel {
 public:
  // Means from N(0, mean_std^2 I), unit covariances, equal weights.
  GmmMle(int64_t components, int64_t dim, double mean_std);
  std::string name() const override { return "GmmMle"; }
  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::shared_ptr<GaussianMixture> mixture;
};

}  // namespace dgm::models::lvm
