#include "models/vae/prior.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"

namespace dgm::models::vae {

Tensor StandardNormalPrior::log_prob(const Tensor& z) {
  DGM_CHECK(z.dim() == 2 && z.size(1) == dim_, "StandardNormalPrior::log_prob: expected z of shape (B, ", dim_,
            "), got ", shape_str(z.shape()));
  // log N(z; 0, I) = -|z|^2 / 2 - D log(2 pi) / 2
  return -0.5 * z.square().sum({1}) - 0.5 * static_cast<double>(dim_) * std::log(2 * M_PI);
}

Tensor StandardNormalPrior::sample(int64_t n, Device device, Generator* gen) {
  return randn({n, dim_}, TensorOptions().device(device), gen);
}

}  // namespace dgm::models::vae
