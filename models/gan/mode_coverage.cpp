#include "models/gan/mode_coverage.h"

#include <cmath>
#include <limits>
#include <vector>

#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

Tensor ring_centers() {
  std::vector<double> c;
  for (int k = 0; k < 8; ++k) {
    const double a = k * M_PI / 4;
    c.push_back(2 * std::cos(a) / 1.414);
    c.push_back(2 * std::sin(a) / 1.414);
  }
  return tensor(c, {8, 2}, kFloat64);
}

double ring_sigma() { return 0.08 / 1.414; }

ModeCoverage mode_coverage(const Tensor& samples, const Tensor& centers, double sigma, double radius,
                           double min_share) {
  DGM_CHECK(samples.dim() == 2 && centers.dim() == 2 && samples.size(1) == centers.size(1) && centers.size(0) > 0,
            "mode_coverage: expected samples (n,d) and centers (k,d), got ", shape_str(samples.shape()), " and ",
            shape_str(centers.shape()));
  DGM_CHECK(sigma > 0 && radius > 0 && min_share >= 0 && min_share <= 1,
            "mode_coverage: expected sigma > 0, radius > 0, min_share in [0,1], got ", sigma, ", ", radius, ", ",
            min_share);
  const int64_t n = samples.size(0), k = centers.size(0), d = samples.size(1);
  const std::vector<double> x = samples.detach().cpu().to(kFloat64).contiguous().to_vector<double>();
  const std::vector<double> c = centers.detach().cpu().to(kFloat64).contiguous().to_vector<double>();
  std::vector<int64_t> counts(static_cast<size_t>(k), 0);
  int64_t good = 0;
  for (int64_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    int64_t nearest = -1;
    for (int64_t j = 0; j < k; ++j) {
      double s = 0;
      for (int64_t e = 0; e < d; ++e) s += (x[i * d + e] - c[j * d + e]) * (x[i * d + e] - c[j * d + e]);
      if (s < best) best = s, nearest = j;
    }
    if (nearest >= 0 && std::sqrt(best) <= radius * sigma) ++good, ++counts[static_cast<size_t>(nearest)];
  }
  ModeCoverage out;
  for (int64_t count : counts)
    if (count > 0 && static_cast<double>(count) >= min_share * static_cast<double>(n)) ++out.modes_hit;
  out.high_quality = n > 0 ? static_cast<double>(good) / static_cast<double>(n) : 0.0;
  return out;
}

}  // namespace dgm::models::gan
