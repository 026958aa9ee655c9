// CPU fused layer norm. Each unit of work is one `o` and a block of up to
// kBlock neighbouring rows i: the loops run over k (along the row) outside
// and over the block inside, so that with inner > 1 (rows strided in memory,
// as for the channels of NCHW) the inner loop still reads contiguous memory.
// With inner = 1 (contiguous rows) a unit is one row, its sums made in several
// accumulators (lane_sum) so that they vectorize.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "tensor/backend/backend.h"
#include "tensor/cpu/lane_sum.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::RowLayout;

namespace {

constexpr int64_t kBlock = 64;   // rows per unit of work
constexpr int64_t kGroups = 64;  // fixed groups for the sums over rows (deterministic)

struct Unit {
  int64_t o, i0, width;  // rows (o, i0) .. (o, i0 + width - 1)
};

int64_t unit_count(RowLayout r) { return r.outer * ((r.inner + kBlock - 1) / kBlock); }

Unit unit_at(RowLayout r, int64_t u) {
  const int64_t blocks = (r.inner + kBlock - 1) / kBlock;
  const int64_t o = u / blocks, i0 = (u % blocks) * kBlock;
  return {o, i0, std::min(kBlock, r.inner - i0)};
}

// One contiguous row (inner = 1: the layer norm over the last dim):
// mean = sum_k x_k / n;  rstd = 1 / sqrt(sum_k (x_k - mean)^2 / n + eps);  y_k = (x_k - mean) rstd w_k + b_k
template <typename T>
void forward_row(const T* x, T* y, double* mean, double* rstd, const T* w, const T* b, int64_t n, double eps) {
  const double m = lane_sum(n, [&](int64_t k) { return static_cast<double>(x[k]); }) / static_cast<double>(n);
  const double v = lane_sum(n, [&](int64_t k) {
    const double d = static_cast<double>(x[k]) - m;
    return d * d;
  });
  const double rs = 1.0 / std::sqrt(v / static_cast<double>(n) + eps);
  *mean = m;
  *rstd = rs;
  if (w || b) {
    for (int64_t k = 0; k < n; ++k)
      y[k] = static_cast<T>((static_cast<double>(x[k]) - m) * rs * (w ? static_cast<double>(w[k]) : 1.0) +
                            (b ? static_cast<double>(b[k]) : 0.0));
  } else {
    for (int64_t k = 0; k < n; ++k) y[k] = static_cast<T>((static_cast<double>(x[k]) - m) * rs);
  }
}

// mean = sum_k x_k / n;  var = sum_k (x_k - mean)^2 / n;  y_k = (x_k - mean) / sqrt(var + eps) * w_k + b_k
template <typename T>
void forward_rows(const T* x, T* y, double* mean, double* rstd, const T* w, const T* b, RowLayout r, double eps) {
  const int64_t units = unit_count(r);
#pragma omp parallel for schedule(static) if (r.outer * r.n * r.inner >= kParallelGrain)
  for (int64_t u = 0; u < units; ++u) {
    if (r.inner == 1) {  // one contiguous row per unit
      forward_row(x + u * r.n, y + u * r.n, mean + u, rstd + u, w, b, r.n, eps);
      continue;
    }
    const Unit t = unit_at(r, u);
    const int64_t base = t.o * r.n * r.inner + t.i0;  // element (o, k=0, i0)
    std::array<double, kBlock> m{}, v{};
    for (int64_t k = 0; k < r.n; ++k)
      for (int64_t j = 0; j < t.width; ++j) m[j] += x[base + k * r.inner + j];
    for (int64_t j = 0; j < t.width; ++j) m[j] /= static_cast<double>(r.n);
    for (int64_t k = 0; k < r.n; ++k)
      for (int64_t j = 0; j < t.width; ++j) {
        const double d = x[base + k * r.inner + j] - m[j];
        v[j] += d * d;
      }
    for (int64_t j = 0; j < t.width; ++j) {
      v[j] = 1.0 / std::sqrt(v[j] / static_cast<double>(r.n) + eps);  // now rstd
      mean[t.o * r.inner + t.i0 + j] = m[j];
      rstd[t.o * r.inner + t.i0 + j] = v[j];
    }
    for (int64_t k = 0; k < r.n; ++k) {
      const double wk = w ? static_cast<double>(w[k]) : 1.0, bk = b ? static_cast<double>(b[k]) : 0.0;
      for (int64_t j = 0; j < t.width; ++j) {
        const int64_t e = base + k * r.inner + j;
        y[e] = static_cast<T>((x[e] - m[j]) * v[j] * wk + bk);
      }
    }
  }
}

// One contiguous row (inner = 1), xhat_k = (x_k - mean) rstd, gw_k = g_k w_k:
// dx_k = rstd (gw_k - mean(gw) - xhat_k mean(gw xhat));  pw_k += g_k xhat_k, pb_k += g_k (when wanted)
template <typename T>
void backward_row(const T* g, const T* x, double m, double rs, const T* w, T* dx, double* pw, double* pb, int64_t n) {
  auto xhat = [&](int64_t k) { return (static_cast<double>(x[k]) - m) * rs; };
  auto gw = [&](int64_t k) { return static_cast<double>(g[k]) * (w ? static_cast<double>(w[k]) : 1.0); };
  const double inv_n = 1.0 / static_cast<double>(n);
  const double a = lane_sum(n, gw) * inv_n, c = lane_sum(n, [&](int64_t k) { return gw(k) * xhat(k); }) * inv_n;
  for (int64_t k = 0; k < n; ++k) dx[k] = static_cast<T>(rs * (gw(k) - a - xhat(k) * c));
  if (pw)
    for (int64_t k = 0; k < n; ++k) pw[k] += static_cast<double>(g[k]) * xhat(k);
  if (pb)
    for (int64_t k = 0; k < n; ++k) pb[k] += static_cast<double>(g[k]);
}

// dx_k = rstd * (gw_k - mean(gw) - xhat_k * mean(gw * xhat)), gw = g * w, xhat = (x - mean) * rstd;
// dw_k += g_k * xhat_k and db_k += g_k, summed per group of units, then over the groups in order.
template <typename T>
void backward_rows(const T* g, const T* x, const double* mean, const double* rstd, const T* w, T* dx, double* dw,
                   double* db, RowLayout r) {
  const int64_t units = unit_count(r), groups = std::min(units, kGroups);
  std::vector<double> part_w(dw ? groups * r.n : 0, 0.0), part_b(db ? groups * r.n : 0, 0.0);
  const double inv_n = 1.0 / static_cast<double>(r.n);
#pragma omp parallel for schedule(static) if (r.outer * r.n * r.inner >= kParallelGrain)
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t u = grp * units / groups; u < (grp + 1) * units / groups; ++u) {
      if (r.inner == 1) {  // one contiguous row per unit
        backward_row(g + u * r.n, x + u * r.n, mean[u], rstd[u], w, dx + u * r.n, dw ? &part_w[grp * r.n] : nullptr,
                     db ? &part_b[grp * r.n] : nullptr, r.n);
        continue;
      }
      const Unit t = unit_at(r, u);
      const int64_t base = t.o * r.n * r.inner + t.i0;
      const double* m = mean + t.o * r.inner + t.i0;
      const double* rs = rstd + t.o * r.inner + t.i0;
      std::array<double, kBlock> a{}, c{};  // sums of gw and gw * xhat
      for (int64_t k = 0; k < r.n; ++k) {
        const double wk = w ? static_cast<double>(w[k]) : 1.0;
        double sw = 0, sb = 0;
        for (int64_t j = 0; j < t.width; ++j) {
          const int64_t e = base + k * r.inner + j;
          const double xh = (x[e] - m[j]) * rs[j], gk = g[e];
          a[j] += gk * wk;
          c[j] += gk * wk * xh;
          sw += gk * xh;
          sb += gk;
        }
        if (dw) part_w[grp * r.n + k] += sw;
        if (db) part_b[grp * r.n + k] += sb;
      }
      for (int64_t k = 0; k < r.n; ++k) {
        const double wk = w ? static_cast<double>(w[k]) : 1.0;
        for (int64_t j = 0; j < t.width; ++j) {
          const int64_t e = base + k * r.inner + j;
          const double xh = (x[e] - m[j]) * rs[j];
          dx[e] = static_cast<T>(rs[j] * (g[e] * wk - a[j] * inv_n - xh * c[j] * inv_n));
        }
      }
    }
  }
  for (int64_t k = 0; k < r.n; ++k) {
    if (dw) dw[k] = 0;
    if (db) db[k] = 0;
    for (int64_t grp = 0; grp < groups; ++grp) {
      if (dw) dw[k] += part_w[grp * r.n + k];
      if (db) db[k] += part_b[grp * r.n + k];
    }
  }
}

// t contiguous or undefined (no weight or bias)
template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

}  // namespace

// y = (x - mean) * rstd * weight + bias, row by row
void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, RowLayout rows,
                        const Tensor& w, const Tensor& b, double eps) {
  dispatch_floating(x.dtype(), "layer_norm", [&]<typename T>() {
    forward_rows<T>(static_cast<const T*>(x.raw_data()), static_cast<T*>(y.raw_data()),
                    static_cast<double*>(mean.raw_data()), static_cast<double*>(rstd.raw_data()), data_or_null<T>(w),
                    data_or_null<T>(b), rows, eps);
  });
}

// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)); dweight, dbias summed over rows
void layer_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x,
                         RowLayout rows, const Tensor& mean, const Tensor& rstd, const Tensor& w) {
  dispatch_floating(x.dtype(), "layer_norm_backward", [&]<typename T>() {
    backward_rows<T>(static_cast<const T*>(g.raw_data()), static_cast<const T*>(x.raw_data()),
                     static_cast<const double*>(mean.raw_data()), static_cast<const double*>(rstd.raw_data()),
                     data_or_null<T>(w), static_cast<T*>(dx.raw_data()),
                     dw.defined() ? static_cast<double*>(dw.raw_data()) : nullptr,
                     db.defined() ? static_cast<double*>(db.raw_data()) : nullptr, rows);
  });
}

}  // namespace dgm::cpu
