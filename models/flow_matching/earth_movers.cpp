#include "models/flow_matching/earth_movers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "autograd/ops/linalg.h"
#include "autograd/ops/reduction.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::flow_matching {

// The Hungarian algorithm as shortest augmenting paths (Kuhn-Munkres with Jonker-Volgenant's potentials): rows are
// added one at a time; for row i a Dijkstra-like search over the reduced costs M_rc - u_r - v_c (all >= 0) finds the
// cheapest alternating path from i to a free column, the potentials move by the path's slack so the reduced costs
// stay >= 0 and are 0 along every matched pair, and the path is flipped. After B rows: a perfect matching whose
// reduced costs are 0 = an optimal assignment with its dual certificate. Arrays are 1-based; column 0 is the search's
// virtual root, p[j] the row matched to column j (0: free).
Assignment linear_sum_assignment(const Tensor& cost) {
  DGM_CHECK(cost.defined() && cost.dim() == 2 && cost.size(0) == cost.size(1),
            "linear_sum_assignment: cost must be a square (B, B) matrix, got ",
            cost.defined() ? shape_str(cost.shape()) : std::string("undefined"));
  DGM_CHECK(cost.dtype() == kFloat32 || cost.dtype() == kFloat64,
            "linear_sum_assignment: cost must be float32 or float64, got ", dtype_name(cost.dtype()));
  const int64_t n = cost.size(0);
  if (n == 0) return {};
  Tensor c = cost.detach().to(kFloat64).cpu().contiguous();
  const double* a = c.data_ptr<double>();
  for (int64_t k = 0; k < n * n; ++k)
    DGM_CHECK(std::isfinite(a[k]), "linear_sum_assignment: cost has a non-finite entry at (", k / n, ", ", k % n, ")");
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0);
  std::vector<int64_t> p(n + 1, 0), way(n + 1, 0);
  std::vector<double> minv(n + 1);
  std::vector<char> used(n + 1);
  for (int64_t i = 1; i <= n; ++i) {
    p[0] = i;
    int64_t j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);  // cheapest reduced cost found to reach each column
    std::fill(used.begin(), used.end(), 0);    // columns already in the search tree
    do {
      used[j0] = 1;
      const int64_t i0 = p[j0];
      const double* row = a + (i0 - 1) * n;  // row[j - 1] = M(i0, j), 1-based j
      const double u_i0 = u[i0];
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double reduced = row[j - 1] - u_i0 - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      // Move the potentials by the slack: tree rows up, tree columns down (matched reduced costs stay 0).
      for (int64_t j = 0; j <= n; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    // Flip the augmenting path back to the root.
    do {
      const int64_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }

  Assignment result;
  result.col_of_row.assign(n, -1);
  for (int64_t j = 1; j <= n; ++j) result.col_of_row[p[j] - 1] = j - 1;
  result.u.assign(u.begin() + 1, u.end());
  result.v.assign(v.begin() + 1, v.end());
  for (int64_t i = 0; i < n; ++i) result.cost += a[i * n + result.col_of_row[i]];
  return result;
}

Tensor emd_uniform(const Tensor& cost) {
  const Assignment assignment = linear_sum_assignment(cost);
  const int64_t n = cost.size(0);
  Tensor plan = zeros({n, n}, TensorOptions().dtype(kFloat64));
  double* P = plan.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) P[i * n + assignment.col_of_row[i]] = 1.0 / static_cast<double>(n);
  return plan;
}

// |x0_i - x1_j|^2 = |x0_i|^2 + |x1_j|^2 - 2 x0_i . x1_j, clamped at 0 against rounding.
Tensor squared_euclidean_costs(const Tensor& x0, const Tensor& x1) {
  DGM_CHECK(x0.defined() && x1.defined() && x0.dim() >= 1 && x1.dim() >= 1 && x0.shape() == x1.shape(),
            "squared_euclidean_costs: x0 and x1 must be batches of the same shape, got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("undefined"), " and ",
            x1.defined() ? shape_str(x1.shape()) : std::string("undefined"));
  NoGradGuard no_grad;
  const int64_t b = x0.size(0);
  Tensor a = x0.detach().reshape({b, -1});
  Tensor c = x1.detach().reshape({b, -1});
  Tensor a2 = sum(a * a, {1}, true);  // (B, 1)
  Tensor c2 = sum(c * c, {1}, true);  // (B, 1)
  Tensor d = a2 + c2.transpose(0, 1) - 2.0 * mm(a, c.transpose(0, 1));
  return d.clamp_min(0.0);
}

}  // namespace dgm::models::flow_matching
