// CPU fused SiLU: one loop forward, one loop backward, over contiguous data.
#include "tensor/backend/backend.h"
#include "tensor/parallel.h"
#include "tensor/scalar_math.h"

namespace dgm::cpu {

// y = x sigmoid(x)
void silu_forward(const Tensor& y, const Tensor& x) {
  dispatch_floating(x.dtype(), "silu", [&]<typename T>() {
    const T* xp = static_cast<const T*>(x.raw_data());
    T* yp = static_cast<T*>(y.raw_data());
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) yp[i] = xp[i] * scalar::sigmoid(xp[i]);
  });
}

// dx = g s (1 + x (1 - s)), s = sigmoid(x)
void silu_backward(const Tensor& dx, const Tensor& g, const Tensor& x) {
  dispatch_floating(x.dtype(), "silu_backward", [&]<typename T>() {
    const T* xp = static_cast<const T*>(x.raw_data());
    const T* gp = static_cast<const T*>(g.raw_data());
    T* dp = static_cast<T*>(dx.raw_data());
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      const T s = scalar::sigmoid(xp[i]);
      dp[i] = gp[i] * s * (T(1) + xp[i] * (T(1) - s));
    }
  });
}

}  // namespace dgm::cpu
