// CPU fused Adam update: one loop over the parameter's elements.
#include <cmath>

#include "tensor/backend/backend.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::AdamStep;

namespace {

template <typename T>
void adam_typed(T* p, const T* g, T* m, T* v, int64_t n, const AdamStep& s) {
  const T b1 = T(s.beta1), b2 = T(s.beta2), one_b1 = T(1 - s.beta1), one_b2 = T(1 - s.beta2);
  const T step = T(-s.lr / s.bias_correction1), bc2 = T(s.bias_correction2_sqrt), eps = T(s.eps);
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
  for (int64_t i = 0; i < n; ++i) {
    m[i] = m[i] * b1 + g[i] * one_b1;
    v[i] = v[i] * b2 + (g[i] * one_b2) * g[i];
    p[i] = p[i] + (m[i] * step) / (std::sqrt(v[i]) / bc2 + eps);
  }
}

}  // namespace

// m, v, p updated in place (tensor/kernels/optim.h)
void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamStep& s) {
  dispatch_floating(p.dtype(), "adam_step_", [&]<typename T>() {
    adam_typed<T>(static_cast<T*>(p.raw_data()), static_cast<const T*>(g.raw_data()), static_cast<T*>(m.raw_data()),
                  static_cast<T*>(v.raw_data()), p.numel(), s);
  });
}

}  // namespace dgm::cpu
