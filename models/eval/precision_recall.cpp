#include "models/eval/precision_recall.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops/linalg.h"
#include "tensor/factories.h"

namespace dgm::models::eval {

namespace {

Tensor as_rows(const Tensor& x, const char* op, const char* what) {
  DGM_CHECK(x.dim() == 2 && x.size(0) > 0, op, ": expected ", what, " features (N,D), got ", shape_str(x.shape()));
  return x.detach().cpu().to(kFloat64).contiguous();
}

// Squared distances between rows [start, start + n) of a and every row of b: (n, len(b)) as a flat vector.
std::vector<double> squared_distances(const Tensor& a, const Tensor& a_sq, const Tensor& b, const Tensor& b_sq,
                                      int64_t start, int64_t n) {
  Tensor rows = a.narrow(0, start, n);
  Tensor d = a_sq.narrow(0, start, n).unsqueeze(1) + b_sq.unsqueeze(0) - 2.0 * matmul(rows, b.t());
  return d.clamp_min(0.0).contiguous().to_vector<double>();
}

}  // namespace

Tensor knn_radii(const Tensor& features, int64_t k, int64_t chunk) {
  NoGradGuard no_grad;
  Tensor x = as_rows(features, "knn_radii", "the");
  const int64_t n = x.size(0);
  DGM_CHECK(k >= 1 && n > k && chunk >= 1, "knn_radii: expected 1 <= k < N and chunk >= 1, got k=", k,
            ", chunk=", chunk, " for features ", shape_str(x.shape()));
  Tensor sq = x.square().sum({1});
  std::vector<double> radii(static_cast<size_t>(n));
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    std::vector<double> d = squared_distances(x, sq, x, sq, start, rows);
    for (int64_t r = 0; r < rows; ++r) {
      auto begin = d.begin() + r * n;
      begin[start + r] = 0;  // the point itself: distance 0 exactly, the smallest; the k-th neighbour is index k
      std::nth_element(begin, begin + k, begin + n);
      radii[static_cast<size_t>(start + r)] = std::sqrt(begin[k]);
    }
  }
  return tensor(radii, {n});
}

double share_inside(const Tensor& points_in, const Tensor& centers_in, const Tensor& radii_in, int64_t chunk) {
  NoGradGuard no_grad;
  Tensor points = as_rows(points_in, "share_inside", "point"), centers = as_rows(centers_in, "share_inside", "center");
  DGM_CHECK(points.size(1) == centers.size(1) && radii_in.dim() == 1 && radii_in.size(0) == centers.size(0),
            "share_inside: expected points (M,D), centers (N,D) and radii (N), got ", shape_str(points.shape()), ", ",
            shape_str(centers.shape()), " and ", shape_str(radii_in.shape()));
  DGM_CHECK(chunk >= 1, "share_inside: chunk must be at least 1, got ", chunk);
  const std::vector<double> radii = radii_in.cpu().to(kFloat64).to_vector<double>();
  std::vector<double> radii_sq(radii.size());
  for (size_t i = 0; i < radii.size(); ++i) {
    DGM_CHECK(std::isfinite(radii[i]) && radii[i] >= 0, "share_inside: radius ", i, " is ", radii[i],
              "; radii must be finite and >= 0");
    radii_sq[i] = radii[i] * radii[i];
  }
  Tensor p_sq = points.square().sum({1}), c_sq = centers.square().sum({1});
  const int64_t m = points.size(0), n = centers.size(0);
  int64_t inside = 0;
  for (int64_t start = 0; start < m; start += chunk) {
    const int64_t rows = std::min(chunk, m - start);
    std::vector<double> d = squared_distances(points, p_sq, centers, c_sq, start, rows);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < n; ++i)
        if (d[static_cast<size_t>(r * n + i)] <= radii_sq[static_cast<size_t>(i)]) {
          ++inside;
          break;
        }
  }
  return static_cast<double>(inside) / static_cast<double>(m);
}

PrecisionRecall precision_recall(const Tensor& real, const Tensor& fake, int64_t k, int64_t chunk) {
  DGM_CHECK(real.dim() == 2 && fake.dim() == 2 && real.size(1) == fake.size(1),
            "precision_recall: expected real (N,D) and fake (M,D) features, got ", shape_str(real.shape()), " and ",
            shape_str(fake.shape()));
  PrecisionRecall out;
  out.precision = share_inside(fake, real, knn_radii(real, k, chunk), chunk);
  out.recall = share_inside(real, fake, knn_radii(fake, k, chunk), chunk);
  return out;
}

}  // namespace dgm::models::eval
