#include "models/eval/inception_score.h"

#include <cmath>
#include <vector>

#include "autograd/grad_mode.h"
#include "nn/functional/softmax.h"

namespace dgm::models::eval {

InceptionScore inception_score(const Tensor& logits, int64_t splits) {
  DGM_CHECK(logits.dim() == 2 && logits.size(1) >= 1, "inception_score: expected logits (N,C), got ",
            shape_str(logits.shape()));
  DGM_CHECK(splits >= 1 && logits.size(0) >= splits, "inception_score: expected 1 <= splits <= N, got splits=", splits,
            " for logits ", shape_str(logits.shape()));
  NoGradGuard no_grad;
  Tensor log_p = nn::functional::log_softmax(logits.detach().cpu().to(kFloat64), 1);
  const std::vector<double> lp = log_p.to_vector<double>();
  const int64_t c = logits.size(1), part = logits.size(0) / splits;
  std::vector<double> scores;
  for (int64_t s = 0; s < splits; ++s) {
    std::vector<double> py(static_cast<size_t>(c), 0.0);
    for (int64_t i = s * part; i < (s + 1) * part; ++i)
      for (int64_t k = 0; k < c; ++k) py[static_cast<size_t>(k)] += std::exp(lp[static_cast<size_t>(i * c + k)]);
    for (double& v : py) v /= static_cast<double>(part);
    double kl = 0;
    for (int64_t i = s * part; i < (s + 1) * part; ++i)
      for (int64_t k = 0; k < c; ++k) {
        const double l = lp[static_cast<size_t>(i * c + k)], p = std::exp(l);
        if (p > 0) kl += p * (l - std::log(py[static_cast<size_t>(k)]));
      }
    scores.push_back(std::exp(kl / static_cast<double>(part)));
  }
  InceptionScore out;
  for (double v : scores) out.mean += v / static_cast<double>(splits);
  for (double v : scores) out.std += (v - out.mean) * (v - out.mean) / static_cast<double>(splits);
  out.std = std::sqrt(out.std);
  DGM_CHECK(std::isfinite(out.mean), "inception_score: the score is not finite: non-finite logits");
  return out;
}

}  // namespace dgm::models::eval
