// CPU convolution: im2col + GEMM. (float32 convolutions with stride 1, a
// kernel larger than 1x1 and rows where it was measured faster run the direct
// kernels of tensor/cpu/conv_direct.h instead, forward and for both gradients.)
//
// For one sample and one group, im2col lays the receptive fields out as the
// columns of a matrix col (K = C/groups*kH*kW rows, one column per output
// pixel), so that the convolution is one matrix product:
//   y_n = w (O/groups x K) @ col(x_n) (K x Ho*Wo)
// and its two adjoints are products with the transposes:
//   dx_n = col2im(w^T @ gy_n)        dw += gy_n @ col(x_n)^T
// col is built for a few output rows at a time, so it stays in cache and is
// never materialized for the whole batch.
//
// Threads: with at least two samples, the batch is split over OpenMP threads,
// each running single-threaded GEMMs on its own samples (one BLAS call per
// chunk is too small to split well, and nesting threads oversubscribes the
// cores). With one sample, the GEMMs use all of OpenBLAS's threads.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "tensor/backend/backend.h"
#include "tensor/cpu/conv_direct.h"
#include "tensor/cpu/gemm.h"
#include "tensor/parallel.h"

extern "C" void openblas_set_num_threads(int);

namespace dgm::cpu {
namespace {

using Geo = kernels::Conv2dGeometry;

// While alive, OpenBLAS runs single-threaded (we parallelize around it).
struct SerialBlas {
  SerialBlas() { openblas_set_num_threads(1); }
  ~SerialBlas() { openblas_set_num_threads(get_num_threads()); }
};

// body(n, thread) for every sample n, split over threads when there are several samples.
template <typename Body>
void for_each_sample(int64_t N, Body body) {
  const int nt = static_cast<int>(std::min<int64_t>(get_num_threads(), N));
  if (nt < 2) {
    for (int64_t n = 0; n < N; ++n) body(n, 0);
    return;
  }
  SerialBlas serial;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t n = 0; n < N; ++n) body(n, omp_get_thread_num());
}

// One scratch buffer per thread, from the caching allocator: reused across
// calls, so no fresh pages (and no zero-filling) on every convolution.
template <typename T>
struct Scratch {
  std::vector<Tensor> buffers = std::vector<Tensor>(get_num_threads());
  T* get(int thread, int64_t size) {
    Tensor& b = buffers[thread];
    if (!b.defined()) b = empty({size}, dtype_of<T>(), Device());
    return b.data_ptr<T>();
  }
};

// A 1x1 kernel with stride 1 and no padding reads x itself: col(x) = x.
bool is_pointwise(const Geo& g) {
  return g.kH == 1 && g.kW == 1 && g.sH == 1 && g.sW == 1 && g.pH == 0 && g.pW == 0 && g.Ho == g.H && g.Wo == g.W;
}

// Output rows per im2col chunk: col holds about 1M numbers (4-8 MB), enough
// columns for GEMM to run at full speed (measured: smaller chunks cost more
// in GEMM packing than they gain in cache).
int64_t rows_per_chunk(const Geo& g) {
  const int64_t K = g.C / g.groups * g.kH * g.kW;
  return std::clamp<int64_t>((int64_t{1} << 20) / std::max<int64_t>(1, K * g.Wo), 1, g.Ho);
}

// The output columns [b_lo, b_hi) whose input column b*sW + w0 lies inside [0, W).
std::pair<int64_t, int64_t> inside_columns(const Geo& g, int64_t w0) {
  const int64_t b_lo = std::min(g.Wo, w0 >= 0 ? 0 : (-w0 + g.sW - 1) / g.sW);
  const int64_t b_hi = std::max(b_lo, std::min(g.Wo, g.W - w0 <= 0 ? 0 : (g.W - w0 - 1) / g.sW + 1));
  return {b_lo, b_hi};
}

// Row r = (c*kH + i)*kW + j of col: channel c, kernel tap (i, j), output rows
// a in [a0, a1) and all output columns b (0 outside the image):
// col[r, (a-a0)*Wo + b] = x[c, a*sH-pH+i*dH, b*sW-pW+j*dW]
template <typename T>
void im2col(const T* x, int64_t Cg, const Geo& g, int64_t a0, int64_t a1, T* col) {
  const int64_t nc = (a1 - a0) * g.Wo;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t i = 0; i < g.kH; ++i)
      for (int64_t j = 0; j < g.kW; ++j) {
        T* dst = col + ((c * g.kH + i) * g.kW + j) * nc;
        const int64_t w0 = j * g.dW - g.pW;  // input column of b = 0
        const auto [b_lo, b_hi] = inside_columns(g, w0);
        for (int64_t a = a0; a < a1; ++a, dst += g.Wo) {
          const int64_t ih = a * g.sH - g.pH + i * g.dH;
          if (ih < 0 || ih >= g.H) {
            std::fill(dst, dst + g.Wo, T(0));
            continue;
          }
          const T* src = x + (c * g.H + ih) * g.W + w0;
          std::fill(dst, dst + b_lo, T(0));
          if (g.sW == 1)
            std::memcpy(dst + b_lo, src + b_lo, (b_hi - b_lo) * sizeof(T));
          else
            for (int64_t b = b_lo; b < b_hi; ++b) dst[b] = src[b * g.sW];
          std::fill(dst + b_hi, dst + g.Wo, T(0));
        }
      }
}

// The adjoint of im2col: x[c, a*sH-pH+i*dH, b*sW-pW+j*dW] += col[r, (a-a0)*Wo + b]
template <typename T>
void col2im(const T* col, int64_t Cg, const Geo& g, int64_t a0, int64_t a1, T* x) {
  const int64_t nc = (a1 - a0) * g.Wo;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t i = 0; i < g.kH; ++i)
      for (int64_t j = 0; j < g.kW; ++j) {
        const T* src = col + ((c * g.kH + i) * g.kW + j) * nc;
        const int64_t w0 = j * g.dW - g.pW;
        const auto [b_lo, b_hi] = inside_columns(g, w0);
        for (int64_t a = a0; a < a1; ++a, src += g.Wo) {
          const int64_t ih = a * g.sH - g.pH + i * g.dH;
          if (ih < 0 || ih >= g.H) continue;
          T* dst = x + (c * g.H + ih) * g.W + w0;
          if (g.sW == 1)
            for (int64_t b = b_lo; b < b_hi; ++b) dst[b] += src[b];
          else
            for (int64_t b = b_lo; b < b_hi; ++b) dst[b * g.sW] += src[b];
        }
      }
}

// y_n,g = w_g @ col(x_n,g) (+ bias), chunk by chunk of output rows.
template <typename T>
void forward_typed(const T* x, const T* w, const T* bias, T* y, const Geo& g) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const bool pointwise = is_pointwise(g);
  const int64_t rows = rows_per_chunk(g);
  Scratch<T> cols;
  for_each_sample(g.N, [&](int64_t n, int t) {
    T* col = pointwise ? nullptr : cols.get(t, K * rows * g.Wo);
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = x + (n * g.C + gi * Cg) * g.H * g.W;
      const T* wg = w + gi * Og * K;
      T* yg = y + (n * g.O + gi * Og) * P;
      if (bias)
        for (int64_t o = 0; o < Og; ++o) std::fill(yg + o * P, yg + (o + 1) * P, bias[gi * Og + o]);
      for (int64_t a0 = 0; a0 < g.Ho; a0 += rows) {
        const int64_t a1 = std::min(g.Ho, a0 + rows), nc = (a1 - a0) * g.Wo;
        if (pointwise) {
          gemm(false, false, Og, nc, K, wg, K, xg + a0 * g.Wo, P, bias ? 1 : 0, yg + a0 * g.Wo, P);
        } else {
          im2col(xg, Cg, g, a0, a1, col);
          gemm(false, false, Og, nc, K, wg, K, col, nc, bias ? 1 : 0, yg + a0 * g.Wo, P);
        }
      }
    }
  });
}

// dx_n,g = col2im(w_g^T @ gy_n,g)
template <typename T>
void input_grad_typed(const T* gy, const T* w, T* dx, const Geo& g) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const bool pointwise = is_pointwise(g);
  const int64_t rows = rows_per_chunk(g);
  Scratch<T> cols;
  for_each_sample(g.N, [&](int64_t n, int t) {
    T* col = pointwise ? nullptr : cols.get(t, K * rows * g.Wo);
    T* dxn = dx + n * g.C * g.H * g.W;
    if (!pointwise) std::fill(dxn, dxn + g.C * g.H * g.W, T(0));
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      T* dxg = dxn + gi * Cg * g.H * g.W;
      const T* wg = w + gi * Og * K;
      const T* gyg = gy + (n * g.O + gi * Og) * P;
      for (int64_t a0 = 0; a0 < g.Ho; a0 += rows) {
        const int64_t a1 = std::min(g.Ho, a0 + rows), nc = (a1 - a0) * g.Wo;
        if (pointwise) {
          gemm(true, false, K, nc, Og, wg, K, gyg + a0 * g.Wo, P, 0, dxg + a0 * g.Wo, P);
        } else {
          gemm(true, false, K, nc, Og, wg, K, gyg + a0 * g.Wo, P, 0, col, nc);
          col2im(col, Cg, g, a0, a1, dxg);
        }
      }
    }
  });
}

// dw_g = sum_n gy_n,g @ col(x_n,g)^T, accumulated per thread, then summed.
template <typename T>
void weight_grad_typed(const T* x, const T* gy, T* dw, const Geo& g) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const bool pointwise = is_pointwise(g);
  const int64_t rows = rows_per_chunk(g);
  const int nt = get_num_threads();
  Scratch<T> cols;
  std::vector<std::vector<T>> acc(nt);  // small: O x K per thread
  for_each_sample(g.N, [&](int64_t n, int t) {
    T* col = pointwise ? nullptr : cols.get(t, K * rows * g.Wo);
    if (acc[t].empty()) acc[t].assign(g.O * K, T(0));
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = x + (n * g.C + gi * Cg) * g.H * g.W;
      const T* gyg = gy + (n * g.O + gi * Og) * P;
      T* dwg = acc[t].data() + gi * Og * K;
      for (int64_t a0 = 0; a0 < g.Ho; a0 += rows) {
        const int64_t a1 = std::min(g.Ho, a0 + rows), nc = (a1 - a0) * g.Wo;
        if (pointwise) {
          gemm(false, true, Og, K, nc, gyg + a0 * g.Wo, P, xg + a0 * g.Wo, P, 1, dwg, K);
        } else {
          im2col(xg, Cg, g, a0, a1, col);
          gemm(false, true, Og, K, nc, gyg + a0 * g.Wo, P, col, nc, 1, dwg, K);
        }
      }
    }
  });
  std::fill(dw, dw + g.O * K, T(0));
  for (const auto& a : acc)
    if (!a.empty())
      for (int64_t k = 0; k < g.O * K; ++k) dw[k] += a[k];
}

}  // namespace

// y = conv(x, w) + bias
void conv2d(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& bias, const Geo& g) {
  if (x.dtype() == kFloat32 && direct_conv2d_applies(g)) {
    direct_conv2d(x.data_ptr<float>(), w.data_ptr<float>(), bias.defined() ? bias.data_ptr<float>() : nullptr,
                  y.data_ptr<float>(), g);
    return;
  }
  dispatch_floating(x.dtype(), "conv2d", [&]<typename T>() {
    forward_typed<T>(x.data_ptr<T>(), w.data_ptr<T>(), bias.defined() ? bias.data_ptr<T>() : nullptr, y.data_ptr<T>(),
                     g);
  });
}

// dx = col2im(w^T @ gy) per sample
void conv2d_input_grad(const Tensor& dx, const Tensor& gy, const Tensor& w, const Geo& g) {
  if (gy.dtype() == kFloat32 && direct_conv2d_input_grad_applies(g)) {
    direct_conv2d_input_grad(gy.data_ptr<float>(), w.data_ptr<float>(), dx.data_ptr<float>(), g);
    return;
  }
  dispatch_floating(gy.dtype(), "conv2d_input_grad",
                    [&]<typename T>() { input_grad_typed<T>(gy.data_ptr<T>(), w.data_ptr<T>(), dx.data_ptr<T>(), g); });
}

// dw = sum_n gy_n @ col(x_n)^T
void conv2d_weight_grad(const Tensor& dw, const Tensor& x, const Tensor& gy, const Geo& g) {
  if (x.dtype() == kFloat32 && direct_conv2d_weight_grad_applies(g)) {
    direct_conv2d_weight_grad(x.data_ptr<float>(), gy.data_ptr<float>(), dw.data_ptr<float>(), g);
    return;
  }
  dispatch_floating(x.dtype(), "conv2d_weight_grad", [&]<typename T>() {
    weight_grad_typed<T>(x.data_ptr<T>(), gy.data_ptr<T>(), dw.data_ptr<T>(), g);
  });
}

}  // namespace dgm::cpu
