// Seminar 1, part 1: maximum likelihood for a categorical distribution over
// `bins` values, parametrized by softmax logits theta (p = softmax(theta)),
// fitted to a quantized 1-D mixture of two Gaussians.
//
//   generate_1d_data: 0.2 +- 0.05 and 0.6 +- 0.15, 50/50, clipped to [0, 1)
//   and quantized to bins: floor(x * bins), int64 in [0, bins).
//   nll(x) = -1/N sum_n log softmax(theta)[x_n]   (nats per sample); the MLE
//   is the histogram p_k = count_k / N, the minimum is the empirical entropy.
#pragma once
#include <memory>

#include "models/model.h"

namespace dgm::models {

// `count` samples of the seminar's quantized mixture, int64 (count) in [0, bins).
Tensor generate_1d_data(int64_t count, int64_t bins, Generator* gen = nullptr);

class HistogramModel : public nn::Module {
 public:
  explicit HistogramModel(int64_t bins);
  std::string name() const override { return "HistogramModel"; }
  std::string extra_repr() const override { return "bins=" + std::to_string(bins); }

  // log p_k = log_softmax(logits), (bins).
  Tensor log_probs() const;
  Tensor probs() const;
  // Mean negative log-likelihood of x (int64 (N), values in [0, bins)) in nats.
  Tensor nll(const Tensor& x) const;
  // n draws (int64 (n)) from softmax(logits).
  Tensor sample(int64_t n, Generator* gen = nullptr) const;
  // Full-batch Adam on nll(train) for `steps` steps; returns the nll after each step.
  std::vector<double> fit(const Tensor& train, int64_t steps = 500, double lr = 0.05);

  int64_t bins;
  Tensor logits;  // (bins), starts at 0 (uniform)
};

}  // namespace dgm::models
