// softmax and log_softmax as composites. Their gradients follow from the ops:
//   d softmax:     g_x = y * (g - sum(g * y))
//   d log_softmax: g_x = g - softmax(x) * sum(g)
#include "nn/functional/softmax.h"

#include <limits>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"

namespace dgm::nn::functional {

namespace {
void check_input(const char* op, const Tensor& x) {
  DGM_CHECK(x.defined(), op, ": got an undefined tensor");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(x.dtype()), " of shape ",
            shape_str(x.shape()));
}
}  // namespace

// softmax(x) = exp(x - m) / sum(exp(x - m)), m = max(x) detached (exp never overflows)
Tensor softmax(const Tensor& x, int64_t dim) {
  check_input("softmax", x);
  const int64_t d = wrap_dim("softmax", dim, x.dim());
  if (x.dim() == 0 || x.numel() == 0) return (x - x) + 1.0;  // constant 1 (or empty), gradient 0
  Tensor m = amax(x.detach(), {d}, /*keepdim=*/true);
  m = where(abs(m).eq(std::numeric_limits<double>::infinity()), 0.0, m);
  Tensor e = exp(x - m);
  return e / e.sum({d}, /*keepdim=*/true);
}

// log_softmax(x) = x - logsumexp(x)
Tensor log_softmax(const Tensor& x, int64_t dim) {
  check_input("log_softmax", x);
  const int64_t d = wrap_dim("log_softmax", dim, x.dim());
  if (x.dim() == 0 || x.numel() == 0) return x - x;
  return x - logsumexp(x, {d}, /*keepdim=*/true);
}

}  // namespace dgm::nn::functional
