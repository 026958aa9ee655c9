// CUDA fused Adam update: one thread per element, the same arithmetic in the
// same order as tensor/cpu/optim.cpp.
#include <cmath>

#include "cuda/elementwise.cuh"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// m = m b1 + g (1-b1);  v = v b2 + g (1-b2) g;  p += (m (-lr/bc1)) / (sqrt(v)/bc2 + eps)
template <typename T>
__global__ void adam_kernel(int64_t n, T* p, const T* g, T* m, T* v, T b1, T b2, T one_b1, T one_b2, T step, T bc2,
                            T eps) {
  DGM_GRID_STRIDE(i, n) {
    const T gi = g[i];
    const T mi = m[i] * b1 + gi * one_b1;
    const T vi = v[i] * b2 + (gi * one_b2) * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] + (mi * step) / (std::sqrt(vi) / bc2 + eps);
  }
}

template <typename T>
void adam_typed(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const kernels::AdamStep& s) {
  const int64_t n = p.numel();
  if (n == 0) return;
  adam_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(
      n, static_cast<T*>(p.raw_data()), static_cast<const T*>(g.raw_data()), static_cast<T*>(m.raw_data()),
      static_cast<T*>(v.raw_data()), T(s.beta1), T(s.beta2), T(1 - s.beta1), T(1 - s.beta2),
      T(-s.lr / s.bias_correction1), T(s.bias_correction2_sqrt), T(s.eps));
  check_launch("adam_step_");
}

}  // namespace

// m, v, p updated in place (tensor/kernels/optim.h)
void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const kernels::AdamStep& s) {
  dispatch_floating(p.dtype(), "adam_step_", [&]<typename T>() { adam_typed<T>(p, g, m, v, s); });
}

}  // namespace dgm::cuda
