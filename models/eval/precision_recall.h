// Improved precision and recall (Kynkaanniemi et al., 2019; lecture 7) on features:
//
//   precision = (1/M) sum_j [ exists i: |f_j - r_i| <= NN_k(r_i) ]   (share of fakes inside the real manifold)
//   recall    = (1/N) sum_i [ exists j: |r_i - f_j| <= NN_k(f_j) ]   (share of reals inside the fake manifold)
//
// NN_k(a) is the distance from a to its k-th nearest neighbour within its own set (a itself not counted), so
// each point's ball holds k others. Squared distances come from one GEMM per chunk of rows
// (|a|^2 + |b|^2 - 2 a.b, float64, negatives from round-off clamped to 0), so no N x M matrix is ever whole in
// memory: at most chunk x max(N, M) doubles at once.
#pragma once
#include "tensor/tensor.h"

namespace dgm::models::eval {

struct PrecisionRecall {
  double precision = 0;
  double recall = 0;
};
// real (N,D), fake (M,D), N and M > k >= 1.
PrecisionRecall precision_recall(const Tensor& real, const Tensor& fake, int64_t k = 3, int64_t chunk = 1024);

// The k-th nearest-neighbour distance of each row of x (N,D) within x, itself excluded: (N) float64.
Tensor knn_radii(const Tensor& x, int64_t k, int64_t chunk = 1024);
// Share of the rows of `points` within the ball of at least one row of `centers` (radii (N) per center).
double share_inside(const Tensor& points, const Tensor& centers, const Tensor& radii, int64_t chunk = 1024);

}  // namespace dgm::models::eval
