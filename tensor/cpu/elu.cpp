// CPU fused ELU gradient: one loop over contiguous data. In float32 the
// exponential is exp_f32 (tensor/cpu/exp_f32.h), branch-free so that the loop
// can vectorize; float64 uses std::exp.
#include <cmath>

#include "tensor/backend/backend.h"
#include "tensor/cpu/exp_f32.h"
#include "tensor/parallel.h"

namespace dgm::cpu {

// dx = g if x > 0 else g alpha exp(x); exp sees min(x, 0), as the composite (the branch not taken must not overflow)
void elu_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double alpha) {
  dispatch_floating(x.dtype(), "elu_backward", [&]<typename T>() {
    const T* __restrict xp = static_cast<const T*>(x.raw_data());
    const T* __restrict gp = static_cast<const T*>(g.raw_data());
    T* __restrict dp = static_cast<T*>(dx.raw_data());
    const T a = static_cast<T>(alpha);
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      const T xi = xp[i], neg = xi < T(0) ? xi : T(0);  // min(x, 0); NaN stays NaN below
      T e;
      if constexpr (std::is_same_v<T, float>) {
        e = exp_f32(xi != xi ? xi : neg);
      } else {
        e = std::exp(xi != xi ? xi : neg);
      }
      dp[i] = xi > T(0) ? gp[i] : gp[i] * (a * e);
    }
  });
}

}  // namespace dgm::cpu
