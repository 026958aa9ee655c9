// The importance-weighted bound L_K of a trained latent model (lecture 4,
// homework 2's theory problem 1; Burda et al. 2016):
//
//   L_K = mean over x of  log (1/K) sum_{k=1..K} w_k,   w_k = p(x, z_k) / q(z_k | x),  z_k ~ q(z | x)
//       = mean over x of  logsumexp_k(log w_k) - log K
//
// L_1 is the ELBO; L_1 <= L_5 <= L_50 <= log p(x) in expectation. `dgm eval RUN --iwae 1,5,50` reports
// iwae_K = -L_K in nats per example (smaller is better; iwae_1 is the negative ELBO).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/vae/importance_weighted.h"

namespace dgm::models::vae {

// L_K per example from log weights (K, B) -> (B): logsumexp over k minus log K.
Tensor iwae_bound_per_example(const Tensor& log_w);

// L_K averaged over the examples of x (B, ...), without a graph, in chunks of examples (and, for K above
// `max_draws`, of draws) so that at most `max_draws` samples are decoded at once.
double iwae_bound(ImportanceWeighted& model, const Tensor& x, int64_t k, Generator* gen = nullptr,
                  int64_t max_draws = 4096);

// "1,5,50" -> {1, 5, 50}: a dgm::Error naming `option` for an empty list, a non-integer, or K < 1.
std::vector<int64_t> parse_iwae_ks(const std::string& option, const std::string& text);

// {"iwae_K": -L_K} for each K, on x; a dgm::Error naming the model (model_name) when it is not ImportanceWeighted.
std::map<std::string, double> evaluate_iwae(GenerativeModel& model, const std::string& model_name, const Tensor& x,
                                            const std::vector<int64_t>& ks, Generator* gen = nullptr);

}  // namespace dgm::models::vae
