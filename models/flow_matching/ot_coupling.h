// Mini-batch optimal transport couplings of homework 6 task 3' (OT-CFM, lecture 13): re-pair a batch of noise x0
// with a batch of data x1 so that the pairs follow the exact OT plan between the two empirical measures:
//
//   get_map(x0, x1)          M_ij = |x0_i - x1_j|^2 (flattened examples), a = b = uniform(B),
//                            pi = ot.emd(a, b, M)                       (B, B) float64, rows and columns sum to 1/B
//   sample_map(pi, B)        B draws with replacement of a flat index k ~ pi_k / sum(pi) (np.random.choice), then
//                            (i, j) = divmod(k, B)                      (the course's given sample_map)
//   sample_plan(x0, x1, pi)  (x0[i], x1[j])                             (the course's given sample_plan)
//
// With uniform weights the exact plan is a permutation / B (earth_movers.h), so the drawn pairs are pairs of that
// permutation, each drawn with probability 1/B (some twice, some not at all, as in the course).
#pragma once
#include <utility>

#include "tensor/random.h"

namespace dgm::models::flow_matching {

// The exact OT plan (B, B) float64 on the CPU between x0 (B, ...) and x1 (B, ...) under squared Euclidean costs.
Tensor get_map(const Tensor& x0, const Tensor& x1);

// (i, j): two (batch_size) int64 index vectors on the CPU drawn from the normalized plan pi (B0, B1).
std::pair<Tensor, Tensor> sample_map(const Tensor& pi, int64_t batch_size, Generator* gen = nullptr);

// (x0[i], x1[j]) with (i, j) = sample_map(pi, x0.size(0)), on x0's device.
std::pair<Tensor, Tensor> sample_plan(const Tensor& x0, const Tensor& x1, const Tensor& pi, Generator* gen = nullptr);

}  // namespace dgm::models::flow_matching
