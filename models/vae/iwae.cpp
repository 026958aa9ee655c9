#include "models/vae/iwae.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/train/option_range.h"

namespace dgm::models::vae {

Tensor iwae_bound_per_example(const Tensor& log_w) {
  DGM_CHECK(log_w.dim() == 2 && log_w.size(0) >= 1, "iwae_bound: expected log weights (K, B) with K >= 1, got ",
            shape_str(log_w.shape()));
  // log (1/K) sum_k w_k = logsumexp_k log w_k - log K
  return logsumexp(log_w, {0}) - std::log(static_cast<double>(log_w.size(0)));
}

double iwae_bound(ImportanceWeighted& model, const Tensor& x, int64_t k, Generator* gen, int64_t max_draws) {
  DGM_CHECK(k >= 1, "iwae_bound: K must be >= 1, got ", k);
  DGM_CHECK(x.dim() >= 1 && x.size(0) >= 1, "iwae_bound: expected a non-empty batch, got ", shape_str(x.shape()));
  NoGradGuard no_grad;
  const int64_t n = x.size(0), chunk = std::max<int64_t>(1, max_draws / k);
  double total = 0;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t m = std::min(chunk, n - start);
    // at most max_draws decodes at once: the K draws of the chunk in pieces, their log weights joined
    const int64_t piece = std::max<int64_t>(1, max_draws / m);
    std::vector<Tensor> pieces;
    for (int64_t done = 0; done < k; done += piece) {
      const int64_t kk = std::min(piece, k - done);
      Tensor lw = model.log_importance_weights(x.narrow(0, start, m), kk, gen);
      DGM_CHECK(lw.shape() == Shape({kk, m}), "iwae_bound: log_importance_weights must return (K, B) = (", kk, ", ", m,
                "), got ", shape_str(lw.shape()));
      pieces.push_back(lw);
    }
    Tensor log_w = pieces.size() == 1 ? pieces[0] : cat(pieces, 0);
    total += iwae_bound_per_example(log_w).to(kFloat64).sum().item<double>();
  }
  return total / static_cast<double>(n);
}

std::vector<int64_t> parse_iwae_ks(const std::string& option, const std::string& text) {
  DGM_CHECK(!text.empty(), option, ": expected a comma-separated list of sample counts K >= 1 (e.g. 1,5,50), got \"\"");
  std::vector<int64_t> ks;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // parse_integer names the option, the range and the value
    ks.push_back(train::parse_integer(option, item, train::closed(1, 100000)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ks;
}

std::map<std::string, double> evaluate_iwae(GenerativeModel& model, const std::string& model_name, const Tensor& x,
                                            const std::vector<int64_t>& ks, Generator* gen) {
  auto* weighted = dynamic_cast<ImportanceWeighted*>(&model);
  DGM_CHECK(weighted, "--iwae: model \"", model_name, "\" (", model.name(),
            ") has no importance weights (it is not a latent-variable model implementing ImportanceWeighted)");
  std::map<std::string, double> out;
  for (int64_t k : ks) out["iwae_" + std::to_string(k)] = -iwae_bound(*weighted, x, k, gen);
  return out;
}

}  // namespace dgm::models::vae
