// CPU fused group norm. One unit of work is one (sample, group) row of
// M = (C/G) S contiguous values: its statistics in double (in several
// accumulators, so the sums vectorize), then, channel by channel, one
// elementwise pass whose per-channel constants fold the normalization and the
// affine together: y = (x - mean) a_c + b_c with a_c = rstd w_c. The backward
// does the same with per-channel sums of g and g (x - mean).
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "tensor/backend/backend.h"
#include "tensor/cpu/lane_sum.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::GroupNormShape;

namespace {

// Per row (n, g): mean = sum x / M; rstd = 1 / sqrt(sum (x - mean)^2 / M + eps);
// then per channel c of the group: y = (x - mean) (rstd w_c) + b_c.
// The loop stays in T, so that it vectorizes: x - mt with mt the mean rounded to T (exact for x near the mean,
// Sterbenz), and the rounding d = mean - mt folded into the shift, y = (x - mt) a_c + (b_c - d a_c), so that a row
// far from zero (values 1000 +- 0.01) loses nothing to the rounded mean.
template <typename T>
void forward_typed(const T* x, T* y, double* mean, double* rstd, const T* w, const T* b, GroupNormShape s, double eps) {
  const int64_t cg = s.c / s.groups, row = cg * s.spatial, rows = s.n * s.groups;
#pragma omp parallel for schedule(static) if (rows * row >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * row;
    T* yr = y + r * row;
    const double m = lane_sum(row, [&](int64_t k) { return static_cast<double>(xr[k]); }) / static_cast<double>(row);
    const double var = lane_sum(row, [&](int64_t k) {
      const double d = static_cast<double>(xr[k]) - m;
      return d * d;
    });
    const double rs = 1.0 / std::sqrt(var / static_cast<double>(row) + eps);
    mean[r] = m;
    rstd[r] = rs;
    const T mt = static_cast<T>(m);
    const double d = m - static_cast<double>(mt);  // x - mean = (x - mt) - d
    for (int64_t j = 0; j < cg; ++j) {
      const int64_t c = (r % s.groups) * cg + j;
      const double a_c = rs * (w ? static_cast<double>(w[c]) : 1.0);
      const T a = static_cast<T>(a_c), shift = static_cast<T>((b ? static_cast<double>(b[c]) : 0.0) - d * a_c);
      const T* xc = xr + j * s.spatial;
      T* yc = yr + j * s.spatial;
      for (int64_t k = 0; k < s.spatial; ++k) yc[k] = (xc[k] - mt) * a + shift;
    }
  }
}

// Per row (n, g), with xhat = (x - mean) rstd and gw = g w_c:
//   A = sum_c w_c sum_k g / M,  B = sum_c w_c sum_k g xhat / M
//   dx = rstd (gw - A - xhat B) = g (rstd w_c) + (x - mean) (-rstd^2 B) - rstd A
// and the per-sample partial sums dweight[n][c] = sum_k g xhat, dbias[n][c] = sum_k g, then added over n in order.
template <typename T>
void backward_typed(const T* g, const T* x, const double* mean, const double* rstd, const T* w, T* dx, double* dw,
                    double* db, GroupNormShape s) {
  const int64_t cg = s.c / s.groups, row = cg * s.spatial, rows = s.n * s.groups;
  std::vector<double> part_w(s.n * s.c), part_b(s.n * s.c);  // per sample and channel
#pragma omp parallel for schedule(static) if (rows * row >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* gr = g + r * row;
    const T* xr = x + r * row;
    T* dxr = dx + r * row;
    const double m = mean[r], rs = rstd[r];
    const T mt = static_cast<T>(m);
    const double d = m - static_cast<double>(mt);  // x - mean = (x - mt) - d
    const int64_t n = r / s.groups, c0 = (r % s.groups) * cg;
    double sum_gw = 0, sum_gw_xhat = 0;
    for (int64_t j = 0; j < cg; ++j) {
      const T* gc = gr + j * s.spatial;
      const T* xc = xr + j * s.spatial;
      const double sg = lane_sum(s.spatial, [&](int64_t k) { return static_cast<double>(gc[k]); });
      const double sgx =
          rs * (lane_sum(s.spatial,
                         [&](int64_t k) { return static_cast<double>(gc[k]) * static_cast<double>(xc[k] - mt); }) -
                d * sg);  // sum g xhat
      const double wc = w ? static_cast<double>(w[c0 + j]) : 1.0;
      sum_gw += wc * sg;
      sum_gw_xhat += wc * sgx;
      part_w[n * s.c + c0 + j] = sgx;
      part_b[n * s.c + c0 + j] = sg;
    }
    const double a_mean = sum_gw / static_cast<double>(row), b_mean = sum_gw_xhat / static_cast<double>(row);
    const double beta_d = -rs * rs * b_mean;  // dx = g alpha_c + (x - mean) beta + gamma, x - mean = (x - mt) - d
    const T beta = static_cast<T>(beta_d), gamma = static_cast<T>(-rs * a_mean - d * beta_d);
    for (int64_t j = 0; j < cg; ++j) {
      const T alpha = static_cast<T>(rs * (w ? static_cast<double>(w[c0 + j]) : 1.0));
      const T* gc = gr + j * s.spatial;
      const T* xc = xr + j * s.spatial;
      T* dxc = dxr + j * s.spatial;
      for (int64_t k = 0; k < s.spatial; ++k) dxc[k] = gc[k] * alpha + (xc[k] - mt) * beta + gamma;
    }
  }
  for (int64_t c = 0; c < s.c; ++c) {
    double sw = 0, sb = 0;
    for (int64_t n = 0; n < s.n; ++n) {
      sw += part_w[n * s.c + c];
      sb += part_b[n * s.c + c];
    }
    if (dw) dw[c] = sw;
    if (db) db[c] = sb;
  }
}

// t contiguous or undefined (no weight or bias)
template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

}  // namespace

// y = (x - mean) * rstd * weight[c] + bias[c], row (n, g) by row
void group_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, GroupNormShape shape,
                        const Tensor& w, const Tensor& b, double eps) {
  dispatch_floating(x.dtype(), "group_norm", [&]<typename T>() {
    forward_typed<T>(static_cast<const T*>(x.raw_data()), static_cast<T*>(y.raw_data()),
                     static_cast<double*>(mean.raw_data()), static_cast<double*>(rstd.raw_data()), data_or_null<T>(w),
                     data_or_null<T>(b), shape, eps);
  });
}

// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) per row; dweight, dbias summed over samples and positions
void group_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x,
                         GroupNormShape shape, const Tensor& mean, const Tensor& rstd, const Tensor& w) {
  dispatch_floating(x.dtype(), "group_norm_backward", [&]<typename T>() {
    backward_typed<T>(static_cast<const T*>(g.raw_data()), static_cast<const T*>(x.raw_data()),
                      static_cast<const double*>(mean.raw_data()), static_cast<const double*>(rstd.raw_data()),
                      data_or_null<T>(w), static_cast<T*>(dx.raw_data()),
                      dw.defined() ? static_cast<double*>(dw.raw_data()) : nullptr,
                      db.defined() ? static_cast<double*>(db.raw_data()) : nullptr, shape);
  });
}

}  // namespace dgm::cpu
