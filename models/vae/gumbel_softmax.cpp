#include "models/vae/gumbel_softmax.h"

#include <cmath>
#include <limits>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/reduction.h"
#include "nn/functional/softmax.h"

namespace dgm::models::vae {

Tensor gumbel_softmax(const Tensor& logits, double tau, bool hard, Generator* gen, int64_t dim) {
  DGM_CHECK(logits.defined() && logits.is_floating_point() && logits.dim() >= 1,
            "gumbel_softmax: expected floating point logits with at least one dimension, got ",
            logits.defined() ? shape_str(logits.shape()) + " " + dtype_name(logits.dtype()) : "undefined");
  DGM_CHECK(std::isfinite(tau) && tau > 0, "gumbel_softmax: tau must be a finite number > 0, got ", tau);
  const int64_t d = dim < 0 ? dim + logits.dim() : dim;
  DGM_CHECK(d >= 0 && d < logits.dim(), "gumbel_softmax: dim ", dim, " out of range for logits ",
            shape_str(logits.shape()));
  // U in [tiny, 1): rand is [0, 1), and U = 0 would give g = -inf
  const double tiny = logits.dtype() == kFloat64 ? std::numeric_limits<double>::min()
                                                 : static_cast<double>(std::numeric_limits<float>::min());
  Tensor u = rand(logits.shape(), TensorOptions(logits.dtype()).device(logits.device()), gen).clamp_min(tiny);
  // g = -log(-log U)
  Tensor g = -log(-log(u));
  // y = softmax((logits + g) / tau)
  Tensor y = softmax((logits + g) * (1.0 / tau), d);
  if (!hard) return y;
  // y_hard = one_hot(argmax y) along dim; forward y_hard exactly, backward dy
  Tensor index = argmax(y.detach(), d, /*keepdim=*/true);
  Tensor y_hard = scatter(zeros_like(y), d, index, 1.0);
  return y_hard + (y - y.detach());
}

}  // namespace dgm::models::vae
