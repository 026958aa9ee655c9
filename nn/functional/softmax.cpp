// softmax and log_softmax: the forward is one fused kernel (tensor/kernels/
// softmax.h: a row max, a sum of exponentials, the output), the gradients are
// written with differentiable ops, so second derivatives work:
//   d softmax:     g_x = y * (g - sum(g * y)),  y = softmax(x)
//   d log_softmax: g_x = g - softmax(x) * sum(g)
#include "nn/functional/softmax.h"

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "tensor/kernels/softmax.h"

namespace dgm::nn::functional {

namespace {
void check_input(const char* op, const Tensor& x) {
  DGM_CHECK(x.defined(), op, ": got an undefined tensor");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(x.dtype()), " of shape ",
            shape_str(x.shape()));
}
}  // namespace

// softmax(x)_k = exp(x_k - m) / sum_j exp(x_j - m), m = max_j x_j (exp never overflows)
Tensor softmax(const Tensor& x, int64_t dim) {
  check_input("softmax", x);
  const int64_t d = wrap_dim("softmax", dim, x.dim());
  if (x.dim() == 0 || x.numel() == 0) return (x - x) + 1.0;  // constant 1 (or empty), gradient 0
  Tensor y = kernels::softmax(x.detach().contiguous(), d, /*log=*/false);
  return autograd::record("softmax", y, {x}, [x, d](const Tensor& g) {
    Tensor s = softmax(x, d);
    return std::vector{s * (g - (g * s).sum({d}, /*keepdim=*/true))};
  });
}

// log_softmax(x) = x - logsumexp(x)
Tensor log_softmax(const Tensor& x, int64_t dim) {
  check_input("log_softmax", x);
  const int64_t d = wrap_dim("log_softmax", dim, x.dim());
  if (x.dim() == 0 || x.numel() == 0) return x - x;
  Tensor y = kernels::softmax(x.detach().contiguous(), d, /*log=*/true);
  return autograd::record("log_softmax", y, {x}, [x, d](const Tensor& g) {
    return std::vector{g - softmax(x, d) * g.sum({d}, /*keepdim=*/true)};
  });
}

}  // namespace dgm::nn::functional
