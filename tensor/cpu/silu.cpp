// CPU fused SiLU: one loop forward, one loop backward, over contiguous data.
// In float32 the sigmoid's exponential is exp_f32 (tensor/cpu/exp_f32.h),
// written so that the loops vectorize (glibc's expf is a call per element);
// float64 uses std::exp.
#include <bit>
#include <cstdint>
#include <limits>

#include "tensor/backend/backend.h"
#include "tensor/cpu/exp_f32.h"
#include "tensor/parallel.h"
#include "tensor/scalar_math.h"

namespace dgm::cpu {
namespace {

// s = 1 / (1 + exp(-x)): 0 for x below -88.72 (exp(-x) = inf), 1 above 87.3
template <typename T>
inline T sigmoid(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return 1.0f / (1.0f + exp_f32(-x));
  } else {
    return scalar::sigmoid(x);
  }
}

}  // namespace

// y = x sigmoid(x)
void silu_forward(const Tensor& y, const Tensor& x) {
  dispatch_floating(x.dtype(), "silu", [&]<typename T>() {
    const T* __restrict xp = static_cast<const T*>(x.raw_data());
    T* __restrict yp = static_cast<T*>(y.raw_data());
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) yp[i] = xp[i] * sigmoid(xp[i]);
  });
}

// dx = g s (1 + x (1 - s)), s = sigmoid(x)
void silu_backward(const Tensor& dx, const Tensor& g, const Tensor& x) {
  dispatch_floating(x.dtype(), "silu_backward", [&]<typename T>() {
    const T* __restrict xp = static_cast<const T*>(x.raw_data());
    const T* __restrict gp = static_cast<const T*>(g.raw_data());
    T* __restrict dp = static_cast<T*>(dx.raw_data());
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      const T s = sigmoid(xp[i]);
      dp[i] = gp[i] * s * (T(1) + xp[i] * (T(1) - s));
    }
  });
}

}  // namespace dgm::cpu
