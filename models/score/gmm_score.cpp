#include "models/score/gmm_score.h"

#include <cmath>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::score {

IsotropicGaussianMixture::IsotropicGaussianMixture(std::vector<double> probs, std::vector<std::vector<double>> means,
                                                   double std)
    : probs_(std::move(probs)), means_(std::move(means)), std_(std) {
  DGM_CHECK(!probs_.empty() && probs_.size() == means_.size(), "IsotropicGaussianMixture: expected one mean per ",
            "weight, got ", probs_.size(), " weights and ", means_.size(), " means");
  double total = 0;
  for (double p : probs_) {
    DGM_CHECK(p > 0, "IsotropicGaussianMixture: expected positive weights, got ", p);
    total += p;
  }
  DGM_CHECK(std::abs(total - 1) < 1e-9, "IsotropicGaussianMixture: the weights must sum to 1, got ", total);
  for (const auto& m : means_)
    DGM_CHECK(!m.empty() && m.size() == means_.front().size(), "IsotropicGaussianMixture: expected means of one ",
              "dimension, got ", means_.front().size(), " and ", m.size());
  DGM_CHECK(std_ > 0, "IsotropicGaussianMixture: expected std > 0, got ", std_);
}

IsotropicGaussianMixture IsotropicGaussianMixture::seminar8() { return {{0.1, 0.9}, {{-5.0, -5.0}, {5.0, 5.0}}, 1.0}; }

Tensor IsotropicGaussianMixture::log_prob(const Tensor& x) const {
  const int64_t K = static_cast<int64_t>(probs_.size()), D = dim();
  DGM_CHECK(x.dim() == 2 && x.size(1) == D, "IsotropicGaussianMixture::log_prob: expected points (N,", D, "), got ",
            shape_str(x.shape()));
  std::vector<double> flat, log_pi;
  for (const auto& m : means_) flat.insert(flat.end(), m.begin(), m.end());
  for (double p : probs_) log_pi.push_back(std::log(p));
  const Tensor mu = tensor(flat, {1, K, D}).to(x.dtype()).to(x.device());
  const Tensor log_w = tensor(log_pi, {1, K}).to(x.dtype()).to(x.device());
  const double var = std_ * std_;
  // log N(x; mu_k, s^2 I) + log pi_k, then logsumexp over k
  Tensor sq = (x.unsqueeze(1) - mu).square().sum({2});  // (N, K)
  Tensor log_joint = log_w - sq * (0.5 / var) - 0.5 * static_cast<double>(D) * std::log(2 * M_PI * var);
  return log_joint.logsumexp({1});
}

Tensor IsotropicGaussianMixture::score(const Tensor& x) const {
  AutoGradMode grad_on(true);
  Tensor leaf = x.detach().clone();
  leaf.requires_grad_(true);
  // s(x) = d/dx sum_n log p(x_n): each point's log-density depends on its own x only
  Tensor total = log_prob(leaf).sum();
  return autograd::grad({total}, {leaf})[0].detach();
}

}  // namespace dgm::models::score
