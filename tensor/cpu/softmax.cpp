// CPU fused softmax: for each row, max, then the sum of exponentials, then the output.
#include <cmath>

#include "tensor/backend/backend.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
namespace {

// One row of n values, `inner` apart: m = max x, e_k = exp(x_k - m) (computed
// once, in T, and kept in y), sum accumulated in double, then y = e / sum, or
// for log-softmax y = x - (m + log sum).
template <typename T>
void softmax_rows(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  const int64_t rows = outer * inner;
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r / inner, i = r % inner;
    const T* xr = x + o * n * inner + i;
    T* yr = y + o * n * inner + i;
    T m = -INFINITY;
    for (int64_t k = 0; k < n; ++k) m = xr[k * inner] > m ? xr[k * inner] : m;  // NaNs are skipped, as fmax
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      const T e = std::exp(xr[k * inner] - m);
      sum += e;
      if (!log) yr[k * inner] = e;
    }
    if (log) {
      const T lse = m + static_cast<T>(std::log(sum));
      for (int64_t k = 0; k < n; ++k) yr[k * inner] = xr[k * inner] - lse;
    } else {
      const T inv = static_cast<T>(1.0 / sum);
      for (int64_t k = 0; k < n; ++k) yr[k * inner] *= inv;
    }
  }
}

}  // namespace

// y = softmax of each row (outer, ., inner) of x
void softmax(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log) {
  dispatch_floating(x.dtype(), "softmax", [&]<typename T>() {
    softmax_rows<T>(static_cast<const T*>(x.raw_data()), static_cast<T*>(y.raw_data()), outer, n, inner, log);
  });
}

}  // namespace dgm::cpu
