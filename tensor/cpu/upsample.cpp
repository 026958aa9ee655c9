// CPU upsampling: a separable linear map per (n, c) plane. Each output row a
// mixes input rows i0[a], i1[a] with weights l0[a], l1[a]; likewise columns.
// The backward kernel is the transpose: the same weights, scattered back.
#include <algorithm>

#include "tensor/backend/backend.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::Interp1d;

namespace {

template <typename Body>
void for_each_plane(int64_t planes, int64_t work_per_plane, Body body) {
  if (planes * work_per_plane < kParallelGrain) {
    for (int64_t p = 0; p < planes; ++p) body(p);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p) body(p);
}

// y[a,b] = sum_{p,q} lh_p[a] lw_q[b] x[ih_p[a], iw_q[b]]
template <typename T>
void forward_typed(const T* x, T* y, int64_t planes, int64_t H, int64_t W, const Interp1d& r, const Interp1d& c) {
  const int64_t Ho = static_cast<int64_t>(r.i0.size()), Wo = static_cast<int64_t>(c.i0.size());
  for_each_plane(planes, Ho * Wo, [&](int64_t p) {
    const T* xp = x + p * H * W;
    T* yp = y + p * Ho * Wo;
    for (int64_t a = 0; a < Ho; ++a) {
      const T* x0 = xp + r.i0[a] * W;
      const T* x1 = xp + r.i1[a] * W;
      const T lh0 = static_cast<T>(r.l0[a]), lh1 = static_cast<T>(r.l1[a]);
      for (int64_t b = 0; b < Wo; ++b) {
        const int64_t j0 = c.i0[b], j1 = c.i1[b];
        const T lw0 = static_cast<T>(c.l0[b]), lw1 = static_cast<T>(c.l1[b]);
        yp[a * Wo + b] = lh0 * (lw0 * x0[j0] + lw1 * x0[j1]) + lh1 * (lw0 * x1[j0] + lw1 * x1[j1]);
      }
    }
  });
}

// dx[ih_p[a], iw_q[b]] += lh_p[a] lw_q[b] g[a,b]
template <typename T>
void backward_typed(const T* g, T* dx, int64_t planes, int64_t H, int64_t W, const Interp1d& r, const Interp1d& c) {
  const int64_t Ho = static_cast<int64_t>(r.i0.size()), Wo = static_cast<int64_t>(c.i0.size());
  for_each_plane(planes, Ho * Wo, [&](int64_t p) {
    const T* gp = g + p * Ho * Wo;
    T* dp = dx + p * H * W;
    std::fill(dp, dp + H * W, T(0));
    for (int64_t a = 0; a < Ho; ++a) {
      T* d0 = dp + r.i0[a] * W;
      T* d1 = dp + r.i1[a] * W;
      const T lh0 = static_cast<T>(r.l0[a]), lh1 = static_cast<T>(r.l1[a]);
      for (int64_t b = 0; b < Wo; ++b) {
        const int64_t j0 = c.i0[b], j1 = c.i1[b];
        const T lw0 = static_cast<T>(c.l0[b]), lw1 = static_cast<T>(c.l1[b]);
        const T v = gp[a * Wo + b];
        d0[j0] += lh0 * lw0 * v;
        d0[j1] += lh0 * lw1 * v;
        d1[j0] += lh1 * lw0 * v;
        d1[j1] += lh1 * lw1 * v;
      }
    }
  });
}

}  // namespace

// y[a,b] = sum_{p,q} lh_p[a] lw_q[b] x[ih_p[a], iw_q[b]] per plane
void upsample2d(const Tensor& y, const Tensor& x, const Interp1d& rows, const Interp1d& cols) {
  dispatch_floating(x.dtype(), "upsample2d", [&]<typename T>() {
    forward_typed<T>(x.data_ptr<T>(), y.data_ptr<T>(), x.size(0) * x.size(1), x.size(2), x.size(3), rows, cols);
  });
}

// dx[ih_p[a], iw_q[b]] += lh_p[a] lw_q[b] g[a,b] per plane
void upsample2d_backward(const Tensor& dx, const Tensor& g, const Interp1d& rows, const Interp1d& cols) {
  dispatch_floating(g.dtype(), "upsample2d_backward", [&]<typename T>() {
    backward_typed<T>(g.data_ptr<T>(), dx.data_ptr<T>(), g.size(0) * g.size(1), dx.size(2), dx.size(3), rows, cols);
  });
}

}  // namespace dgm::cpu
