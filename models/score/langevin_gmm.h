// Langevin dynamics on an analytic score (seminar 8, lecture 7): seminar 8's 2-D mixture p(x) =
// 0.1 N(-(5,5), I) + 0.9 N(+(5,5), I), its score s(x) = grad_x log p(x) by autograd (gmm_score.h), and
//
//   x_{k+1} = x_k + eta/2 s(x_k) + sqrt(eta) z_k,   x_0 ~ U[-8, 8]^2,   eta = 0.01, 1000 steps (langevin.h)
//
// The seminar's point: each chain falls into the mode of its starting half-plane and stays there (the score
// between the modes is tiny next to the noise for a chain to cross 14 units), so the samples have the right shape
// around each mode but the wrong weights: about 1/2 at +(5,5) instead of 0.9.
//
// Nothing is learned: the model has no parameters and no optimizer (optimizer_groups() is empty); its "training"
// only logs, per batch of data, nll = -mean log p(x) under the exact density (the data's own entropy: about
// 2.84 + H(0.1) nats per point) and, at test time, mode_weight (share of fresh Langevin samples with x1 + x2 > 0,
// the half-plane of the 0.9 mode) beside true_mode_weight (0.9).
#pragma once
#include <cstdint>
#include <functional>

#include "models/model.h"
#include "models/score/gmm_score.h"

namespace dgm::models::score {

struct LangevinGMMConfig {
  int64_t num_steps = 1000;
  double eta = 0.01;
  double init_range = 8;          // x_0 ~ U[-init_range, init_range]^2
  int64_t metric_samples = 1000;  // chains behind mode_weight in loss()
};

class LangevinGMM : public GenerativeModel {
 public:
  explicit LangevinGMM(LangevinGMMConfig config = {});
  std::string name() const override { return "LangevinGMM"; }

  // nll (the exact -mean log p(x)), mode_weight of metric_samples fresh chains, true_mode_weight.
  Losses loss(const Batch& batch) override;
  // No gradient step: nll of the batch only (the chains of mode_weight are drawn at test time).
  Losses train_step(const Batch& batch, train::Optimizers& optimizers) override;
  std::map<std::string, std::vector<Tensor>> optimizer_groups() override { return {}; }
  // n chains of options.steps (0: config.num_steps) Langevin steps from U[-8, 8]^2.
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }
  // samples.png (data beside samples), score.png (quiver of the true score), trajectory.png (chains at steps
  // 0, 10, 100, 300, 1000).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // The share of points (N, 2) with x1 + x2 > 0.
  static double positive_mode_weight(const Tensor& points);

  const LangevinGMMConfig config;
  const IsotropicGaussianMixture mixture = IsotropicGaussianMixture::seminar8();

 private:
  Tensor chains(int64_t n, int64_t steps, Generator* gen, const std::function<void(int64_t, const Tensor&)>& on_step);
};

}  // namespace dgm::models::score
