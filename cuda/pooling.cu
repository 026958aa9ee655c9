// CUDA pooling (tensor/kernels/conv.h, CPU reference tensor/cpu/pooling.cpp).
//
// The window of output pixel (a, b) covers input rows [a*sH - pH, a*sH - pH + kH)
// and columns [b*sW - pW, b*sW - pW + kW), clipped to the image.
//
// Forward kernels: one thread per output element, which scans its window.
// Backward kernels (max_pool2d_scatter, avg_pool2d_backward): one thread per
// input element, which scans the windows that contain it and sums their
// contributions in the CPU's order (output pixels in row-major order). No two
// threads write one element, so there are no atomics and the result is
// deterministic (and, for avg_pool2d_backward, the same sums as the CPU's).
// max_pool2d_scatter relies on what max_pool2d guarantees: indices[n,c,a,b]
// lies inside window (a, b) (any other entry would be skipped; the front end
// only passes the indices max_pool2d returned for the same geometry).
#include <cmath>

#include "cuda/elementwise.cuh"  // DGM_GRID_STRIDE
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

using Geo = kernels::Pool2dGeometry;

// First and one-past-last output index along one axis whose window contains
// input index h: a*s - p <= h < a*s - p + k, i.e. (h + p - k)/s < a <= (h + p)/s.
__device__ inline void windows_containing(int64_t h, int64_t s, int64_t p, int64_t k, int64_t out, int64_t& lo,
                                          int64_t& hi) {
  const int64_t t = h + p - k;  // a*s > t
  lo = t < 0 ? 0 : t / s + 1;
  hi = (h + p) / s + 1;  // h + p >= 0
  if (hi > out) hi = out;
}

// Window bounds of output index a along one axis, clipped to [0, size).
__device__ inline void window(int64_t a, int64_t s, int64_t p, int64_t k, int64_t size, int64_t& lo, int64_t& hi) {
  lo = a * s - p;
  hi = lo + k < size ? lo + k : size;
  if (lo < 0) lo = 0;
}

// Avg pool divisor: the window clipped to the padded image [-p, size + p)
// when padding counts, else clipped to the image itself (at least 1).
__device__ inline int64_t divisor(const Geo& g, int64_t a, int64_t b) {
  if (g.count_include_pad) {
    const int64_t h0 = a * g.sH - g.pH, w0 = b * g.sW - g.pW;
    const int64_t h1 = h0 + g.kH < g.H + g.pH ? h0 + g.kH : g.H + g.pH;
    const int64_t w1 = w0 + g.kW < g.W + g.pW ? w0 + g.kW : g.W + g.pW;
    return (h1 - h0) * (w1 - w0);
  }
  int64_t h0, h1, w0, w1;
  window(a, g.sH, g.pH, g.kH, g.H, h0, h1);
  window(b, g.sW, g.pW, g.kW, g.W, w0, w1);
  const int64_t d = (h1 - h0) * (w1 - w0);
  return d > 1 ? d : 1;
}

// y[o] = max over window o of x, idx[o] = h*W + w of the first maximum; NaN wins.
template <typename T>
__global__ void max_pool_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t* __restrict__ idx, int64_t total,
                                Geo g) {
  DGM_GRID_STRIDE(o, total) {
    const int64_t b = o % g.Wo;
    const int64_t r = o / g.Wo;
    const int64_t a = r % g.Ho, plane = r / g.Ho;
    int64_t h0, h1, w0, w1;
    window(a, g.sH, g.pH, g.kH, g.H, h0, h1);
    window(b, g.sW, g.pW, g.kW, g.W, w0, w1);
    const T* xp = x + plane * g.H * g.W;
    T best = -INFINITY;
    int64_t arg = h0 * g.W + w0;
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) {
        const T v = xp[h * g.W + w];
        if (v > best || (v != v && best == best)) {
          best = v;
          arg = h * g.W + w;
        }
      }
    y[o] = best;
    idx[o] = arg;
  }
}

// dx[plane, h, w] = sum of g[plane, a, b] over the windows (a, b) containing
// (h, w) whose maximum was taken at (h, w).
template <typename T>
__global__ void max_pool_scatter_kernel(const T* __restrict__ gy, const int64_t* __restrict__ idx, T* __restrict__ dx,
                                        int64_t total, Geo g) {
  DGM_GRID_STRIDE(e, total) {
    const int64_t w = e % g.W;
    const int64_t r = e / g.W;
    const int64_t h = r % g.H, plane = r / g.H;
    int64_t a0, a1, b0, b1;
    windows_containing(h, g.sH, g.pH, g.kH, g.Ho, a0, a1);
    windows_containing(w, g.sW, g.pW, g.kW, g.Wo, b0, b1);
    const int64_t here = h * g.W + w, base = plane * g.Ho * g.Wo;
    T sum = 0;
    for (int64_t a = a0; a < a1; ++a)
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t o = base + a * g.Wo + b;
        if (idx[o] == here) sum += gy[o];
      }
    dx[e] = sum;
  }
}

// out[plane, o] = h[plane, idx[plane, o]]
template <typename T>
__global__ void max_pool_gather_kernel(const T* __restrict__ hin, const int64_t* __restrict__ idx, T* __restrict__ out,
                                       int64_t total, int64_t plane_in, int64_t plane_out) {
  DGM_GRID_STRIDE(o, total) {
    const int64_t i = idx[o];
    out[o] = (i >= 0 && i < plane_in) ? hin[(o / plane_out) * plane_in + i] : T(NAN);  // NaN flags a bad index
  }
}

// y[o] = (sum over window o of x) / divisor(o)
template <typename T>
__global__ void avg_pool_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t total, Geo g) {
  DGM_GRID_STRIDE(o, total) {
    const int64_t b = o % g.Wo;
    const int64_t r = o / g.Wo;
    const int64_t a = r % g.Ho, plane = r / g.Ho;
    int64_t h0, h1, w0, w1;
    window(a, g.sH, g.pH, g.kH, g.H, h0, h1);
    window(b, g.sW, g.pW, g.kW, g.W, w0, w1);
    const T* xp = x + plane * g.H * g.W;
    T s = 0;
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) s += xp[h * g.W + w];
    y[o] = s / static_cast<T>(divisor(g, a, b));
  }
}

// dx[plane, h, w] = sum over windows (a, b) containing (h, w) of g[plane, a, b] / divisor(a, b)
template <typename T>
__global__ void avg_pool_backward_kernel(const T* __restrict__ gy, T* __restrict__ dx, int64_t total, Geo g) {
  DGM_GRID_STRIDE(e, total) {
    const int64_t w = e % g.W;
    const int64_t r = e / g.W;
    const int64_t h = r % g.H, plane = r / g.H;
    int64_t a0, a1, b0, b1;
    windows_containing(h, g.sH, g.pH, g.kH, g.Ho, a0, a1);
    windows_containing(w, g.sW, g.pW, g.kW, g.Wo, b0, b1);
    const T* gp = gy + plane * g.Ho * g.Wo;
    T sum = 0;
    for (int64_t a = a0; a < a1; ++a)
      for (int64_t b = b0; b < b1; ++b) sum += gp[a * g.Wo + b] / static_cast<T>(divisor(g, a, b));
    dx[e] = sum;
  }
}

}  // namespace

// y = max over each window, idx = where (h*W + w)
void max_pool2d(const Tensor& y, const Tensor& idx, const Tensor& x, const Geo& g) {
  const int64_t total = y.numel();
  dispatch_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
    max_pool_kernel<T>
        <<<grid_for(total), kBlock, 0, stream()>>>(x.data_ptr<T>(), y.data_ptr<T>(), idx.data_ptr<int64_t>(), total, g);
  });
  check_launch("max_pool2d");
}

// dx[h,w] = sum of g over the windows whose max was (h,w)
void max_pool2d_scatter(const Tensor& dx, const Tensor& gy, const Tensor& idx, const Geo& g) {
  const int64_t total = dx.numel();
  dispatch_floating(gy.dtype(), "max_pool2d_backward", [&]<typename T>() {
    max_pool_scatter_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(gy.data_ptr<T>(), idx.data_ptr<int64_t>(),
                                                                         dx.data_ptr<T>(), total, g);
  });
  check_launch("max_pool2d_backward");
}

// out[a,b] = h[idx[a,b]]
void max_pool2d_gather(const Tensor& out, const Tensor& h, const Tensor& idx, const Geo& g) {
  const int64_t total = out.numel();
  dispatch_floating(h.dtype(), "max_pool2d_gather", [&]<typename T>() {
    max_pool_gather_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(
        h.data_ptr<T>(), idx.data_ptr<int64_t>(), out.data_ptr<T>(), total, g.H * g.W, g.Ho * g.Wo);
  });
  check_launch("max_pool2d_gather");
}

// y = window sum / divisor
void avg_pool2d(const Tensor& y, const Tensor& x, const Geo& g) {
  const int64_t total = y.numel();
  dispatch_floating(x.dtype(), "avg_pool2d", [&]<typename T>() {
    avg_pool_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(x.data_ptr<T>(), y.data_ptr<T>(), total, g);
  });
  check_launch("avg_pool2d");
}

// dx[h,w] = sum over windows containing (h,w) of g / divisor
void avg_pool2d_backward(const Tensor& dx, const Tensor& gy, const Geo& g) {
  const int64_t total = dx.numel();
  dispatch_floating(gy.dtype(), "avg_pool2d_backward", [&]<typename T>() {
    avg_pool_backward_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(gy.data_ptr<T>(), dx.data_ptr<T>(), total, g);
  });
  check_launch("avg_pool2d_backward");
}

}  // namespace dgm::cuda
