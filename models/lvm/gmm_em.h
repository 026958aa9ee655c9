// `gmm-em` (seminar 4, "GMM by EM"): a GaussianMixture fitted by classical EM
// (models/lvm/em.h) in float64, with no gradients and no optimizer.
//
// The training path: train_step(batch) is one EM step on the batch it is
// given, E-step (responsibilities at the current parameters) then M-step
// (closed-form weights, means, covariances + 1e-5 I). The specs set the batch
// to the whole training set, so one epoch is one full-batch EM step and
// `epochs` counts EM steps. optimizer_groups() is empty (the trainer builds no
// optimizer for it).
//
// Initialization, at the first step, from the data and the default generator
// (seeded by --seed): k-means++ seeding picks K data points as means (the
// first uniformly, each next with probability proportional to its squared
// distance to the nearest mean so far), then every point is assigned to its
// nearest mean and the M-step on these one-hot responsibilities gives the
// first weights, means and covariances.
//
// Logged per step: loss = -1/N sum_i log p(x_i) and log_likelihood = -loss at
// the parameters the E-step used (EM's log-likelihood before the step).
#pragma once
#include "models/lvm/gaussian_mixture.h"
#include "models/model.h"

namespace dgm::models::lvm {

class GmmEm : public GenerativeModel {
 public:
  GmmEm(int64_t components, int64_t dim, double reg = 1e-5);
  std::string name() const override { return "GmmEm"; }
  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::map<std::string, std::vector<Tensor>> optimizer_groups() override { return {}; }
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  // The initialization above, on the points x (N,D).
  void initialize(const Tensor& x);

  std::shared_ptr<GaussianMixture> mixture;  // float64
  Tensor initialized;                        // buffer, 0 or 1 (saved, so a resumed run does not re-initialize)

 private:
  double reg_;
};

}  // namespace dgm::models::lvm
