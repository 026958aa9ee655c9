// The exact earth mover's (optimal transport) plan between two equal-size batches with uniform weights, the
// `ot.emd(a, b, M)` that homework 6's OT-CFM pairs its mini-batches with:
//
//   min_P sum_ij P_ij M_ij   over P >= 0 with row sums a_i = 1/B and column sums b_j = 1/B
//
// With uniform weights of equal size the optimal P is a permutation matrix divided by B (Birkhoff-von Neumann: the
// vertices of this polytope are the permutation matrices), so the LP is the assignment problem
//
//   min over permutations sigma of sum_i M_{i, sigma(i)}
//
// solved exactly by the Hungarian algorithm (shortest augmenting paths with dual potentials u, v; O(B^3)). Its
// certificate of optimality is the duals: u_i + v_j <= M_ij for every (i, j), with equality on the assignment
// (complementary slackness), so sum_i M_{i, sigma(i)} = sum_i u_i + sum_j v_j, the LP's dual bound.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::models::flow_matching {

struct Assignment {
  std::vector<int64_t> col_of_row;  // sigma: row i is matched with column col_of_row[i] (a permutation)
  double cost = 0;                  // sum_i M_{i, sigma(i)}
  std::vector<double> u, v;         // dual potentials: u_i + v_j <= M_ij, equality where j = sigma(i)
};

// cost: (B, B) float32 or float64, finite, on any device (copied to the CPU in float64).
// SciPy's name: scipy.optimize.linear_sum_assignment (minimization).
Assignment linear_sum_assignment(const Tensor& cost);

// POT's ot.emd(a, b, M) for a = b = uniform(B): the (B, B) plan (1/B at (i, sigma(i)), 0 elsewhere), float64 on
// the CPU.
Tensor emd_uniform(const Tensor& cost);

// Squared Euclidean costs M_ij = |x0_i - x1_j|^2 between the flattened examples of x0 (B, ...) and x1 (B, ...).
Tensor squared_euclidean_costs(const Tensor& x0, const Tensor& x1);

}  // namespace dgm::models::flow_matching
