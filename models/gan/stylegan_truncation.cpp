#include "models/gan/stylegan_truncation.h"

#include <cmath>
#include <vector>

#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

Tensor truncated_normal(const Shape& shape, double bound, Generator* gen, TensorOptions options) {
  DGM_CHECK(std::isfinite(bound) && bound > 0, "truncated_normal: the bound must be positive and finite, got ", bound);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> values(static_cast<size_t>(n));
  std::vector<size_t> pending(values.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  // Rejection: redraw the values outside [-bound, bound]; each round keeps a fraction P(|z| <= bound) of them.
  while (!pending.empty()) {
    std::vector<double> draws =
        randn({static_cast<int64_t>(pending.size())}, TensorOptions(kFloat64), gen).to_vector<double>();
    std::vector<size_t> rejected;
    for (size_t k = 0; k < pending.size(); ++k) {
      if (std::abs(draws[k]) <= bound)
        values[pending[k]] = draws[k];
      else
        rejected.push_back(pending[k]);
    }
    pending.swap(rejected);
  }
  return tensor(values, shape).to(options.dtype_).to(options.device_);
}

Tensor truncate_w(const Tensor& w, const Tensor& w_mean, double psi) {
  DGM_CHECK(w.dim() == 2 && w_mean.numel() == w.size(1), "truncate_w: expected w (B, w_dim) and w_mean (w_dim), got ",
            shape_str(w.shape()), " and ", shape_str(w_mean.shape()));
  DGM_CHECK(std::isfinite(psi), "truncate_w: psi must be finite, got ", psi);
  Tensor m = w_mean.reshape({1, w.size(1)});
  return m + psi * (w - m);
}

}  // namespace dgm::models::gan
