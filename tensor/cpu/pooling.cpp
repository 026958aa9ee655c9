// CPU pooling: every (n, c) plane is independent, so planes run in parallel.
// A window of output pixel (a, b) covers input rows [a*sH - pH, a*sH - pH + kH)
// and columns [b*sW - pW, b*sW - pW + kW), clipped to the image.
#include <algorithm>
#include <cmath>

#include "tensor/backend/backend.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
namespace {

using Geo = kernels::Pool2dGeometry;

// body(plane) for every (n, c) plane, in parallel when there is enough work.
template <typename Body>
void for_each_plane(const Geo& g, int64_t work_per_plane, Body body) {
  const int64_t planes = g.N * g.C;
  if (planes * work_per_plane < kParallelGrain) {
    for (int64_t p = 0; p < planes; ++p) body(p);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p) body(p);
}

// Window bounds of output index a along one axis, clipped to [0, size).
inline std::pair<int64_t, int64_t> window(int64_t a, int64_t s, int64_t p, int64_t k, int64_t size) {
  const int64_t lo = a * s - p;
  return {std::max<int64_t>(lo, 0), std::min(lo + k, size)};
}

// Avg pool divisor: the window clipped to the padded image [-p, size + p)
// when padding counts, else clipped to the image itself.
inline int64_t divisor(const Geo& g, int64_t a, int64_t b) {
  if (g.count_include_pad) {
    const int64_t h0 = a * g.sH - g.pH, w0 = b * g.sW - g.pW;
    return (std::min(h0 + g.kH, g.H + g.pH) - h0) * (std::min(w0 + g.kW, g.W + g.pW) - w0);
  }
  auto [h0, h1] = window(a, g.sH, g.pH, g.kH, g.H);
  auto [w0, w1] = window(b, g.sW, g.pW, g.kW, g.W);
  return std::max<int64_t>((h1 - h0) * (w1 - w0), 1);
}

template <typename T>
void max_pool_typed(const T* x, T* y, int64_t* idx, const Geo& g) {
  for_each_plane(g, g.Ho * g.Wo * g.kH * g.kW, [&](int64_t p) {
    const T* xp = x + p * g.H * g.W;
    for (int64_t a = 0; a < g.Ho; ++a) {
      auto [h0, h1] = window(a, g.sH, g.pH, g.kH, g.H);
      for (int64_t b = 0; b < g.Wo; ++b) {
        auto [w0, w1] = window(b, g.sW, g.pW, g.kW, g.W);
        T best = -INFINITY;
        int64_t arg = h0 * g.W + w0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) {
            const T v = xp[h * g.W + w];
            if (v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              arg = h * g.W + w;
            }
          }
        const int64_t o = (p * g.Ho + a) * g.Wo + b;
        y[o] = best;
        idx[o] = arg;
      }
    }
  });
}

template <typename T>
void avg_pool_typed(const T* x, T* y, const Geo& g) {
  for_each_plane(g, g.Ho * g.Wo * g.kH * g.kW, [&](int64_t p) {
    const T* xp = x + p * g.H * g.W;
    for (int64_t a = 0; a < g.Ho; ++a) {
      auto [h0, h1] = window(a, g.sH, g.pH, g.kH, g.H);
      for (int64_t b = 0; b < g.Wo; ++b) {
        auto [w0, w1] = window(b, g.sW, g.pW, g.kW, g.W);
        T s = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) s += xp[h * g.W + w];
        y[(p * g.Ho + a) * g.Wo + b] = s / static_cast<T>(divisor(g, a, b));
      }
    }
  });
}

template <typename T>
void avg_pool_backward_typed(const T* gy, T* dx, const Geo& g) {
  for_each_plane(g, g.Ho * g.Wo * g.kH * g.kW, [&](int64_t p) {
    T* dp = dx + p * g.H * g.W;
    std::fill(dp, dp + g.H * g.W, T(0));
    for (int64_t a = 0; a < g.Ho; ++a) {
      auto [h0, h1] = window(a, g.sH, g.pH, g.kH, g.H);
      for (int64_t b = 0; b < g.Wo; ++b) {
        auto [w0, w1] = window(b, g.sW, g.pW, g.kW, g.W);
        const T v = gy[(p * g.Ho + a) * g.Wo + b] / static_cast<T>(divisor(g, a, b));
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) dp[h * g.W + w] += v;
      }
    }
  });
}

}  // namespace

// y = max over each window, idx = where
void max_pool2d(const Tensor& y, const Tensor& idx, const Tensor& x, const Geo& g) {
  dispatch_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
    max_pool_typed<T>(x.data_ptr<T>(), y.data_ptr<T>(), idx.data_ptr<int64_t>(), g);
  });
}

// dx[plane, idx[o]] += gy[plane, o]: each output's gradient goes back to the input it took the max from
void max_pool2d_scatter(const Tensor& dx, const Tensor& gy, const Tensor& indices, const Geo& g) {
  dispatch_floating(gy.dtype(), "max_pool2d_backward", [&]<typename T>() {
    const T* pg = gy.data_ptr<T>();
    const int64_t* pi = indices.data_ptr<int64_t>();
    T* pd = dx.data_ptr<T>();
    for_each_plane(g, g.Ho * g.Wo, [&](int64_t p) {
      T* d = pd + p * g.H * g.W;
      std::fill(d, d + g.H * g.W, T(0));
      for (int64_t o = p * g.Ho * g.Wo; o < (p + 1) * g.Ho * g.Wo; ++o) d[pi[o]] += pg[o];
    });
  });
}

// out[plane, o] = h[plane, idx[o]]: the adjoint of the scatter above (its gradient)
void max_pool2d_gather(const Tensor& out, const Tensor& h, const Tensor& indices, const Geo& g) {
  dispatch_floating(h.dtype(), "max_pool2d_gather", [&]<typename T>() {
    const T* ph = h.data_ptr<T>();
    const int64_t* pi = indices.data_ptr<int64_t>();
    T* po = out.data_ptr<T>();
    for_each_plane(g, g.Ho * g.Wo, [&](int64_t p) {
      const T* src = ph + p * g.H * g.W;
      for (int64_t o = p * g.Ho * g.Wo; o < (p + 1) * g.Ho * g.Wo; ++o) po[o] = src[pi[o]];
    });
  });
}

// y = window sum / divisor
void avg_pool2d(const Tensor& y, const Tensor& x, const Geo& g) {
  dispatch_floating(x.dtype(), "avg_pool2d",
                    [&]<typename T>() { avg_pool_typed<T>(x.data_ptr<T>(), y.data_ptr<T>(), g); });
}

// dx[h,w] = sum over windows containing (h,w) of gy / divisor
void avg_pool2d_backward(const Tensor& dx, const Tensor& gy, const Geo& g) {
  dispatch_floating(gy.dtype(), "avg_pool2d_backward",
                    [&]<typename T>() { avg_pool_backward_typed<T>(gy.data_ptr<T>(), dx.data_ptr<T>(), g); });
}

}  // namespace dgm::cpu
