#include "models/ar/histogram.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/index_ops.h"
#include "nn/functional/softmax.h"
#include "nn/optim/adam.h"

namespace dgm::models {

Tensor generate_1d_data(int64_t count, int64_t bins, Generator* gen) {
  DGM_CHECK(count > 0 && bins > 0, "generate_1d_data: count and bins must be positive");
  Tensor z = randn({count}, kFloat64, gen);
  Tensor which = bernoulli({count}, 0.5, kFloat64, gen);  // 1: first component
  Tensor x = which * (0.2 + 0.05 * z) + (1.0 - which) * (0.6 + 0.15 * z);
  const double top = 1.0 - 1e-9;
  return (x.clamp(0.0, top) * static_cast<double>(bins)).floor().to(kInt64);
}

HistogramModel::HistogramModel(int64_t bins_) : bins(bins_) {
  DGM_CHECK(bins_ > 0, "HistogramModel: bins must be positive, got ", bins_);
  logits = register_parameter("logits", zeros({bins_}));
}

Tensor HistogramModel::log_probs() const { return log_softmax(logits, 0); }

Tensor HistogramModel::probs() const { return softmax(logits, 0); }

Tensor HistogramModel::nll(const Tensor& x) const {
  DGM_CHECK(x.dim() == 1, "HistogramModel::nll: expected x of shape (N), got ", shape_str(x.shape()));
  return -log_probs().index_select(0, x.to(kInt64).to(logits.device())).mean();
}

Tensor HistogramModel::sample(int64_t n, Generator* gen) const {
  NoGradGuard no_grad;
  return multinomial(probs(), n, true, gen);
}

std::vector<double> HistogramModel::fit(const Tensor& train, int64_t steps, double lr) {
  nn::optim::Adam opt(parameters(), nn::optim::AdamOptions(lr));
  std::vector<double> history;
  for (int64_t s = 0; s < steps; ++s) {
    opt.zero_grad();
    Tensor loss = nll(train);
    loss.backward();
    opt.step();
    history.push_back(nll(train).item());
  }
  return history;
}

}  // namespace dgm::models
