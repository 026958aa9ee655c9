// CPU matmul and triangular solve on OpenBLAS (cblas_?gemm, cblas_?trsm).
//
// A matrix reaches BLAS without a copy when its elements sit row by row
// (strides (ld, 1)) or column by column (strides (1, ld): the row-major
// layout of its transpose, passed with CblasTrans). Anything else, e.g. a
// slice with a step in the last dim, is copied to row-major first.
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <string>

#include "tensor/backend/backend.h"
#include "tensor/cpu/gemm.h"
#include "tensor/kernels/matrix_layout.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::blas_ready;
using kernels::Layout;

namespace {

// Below this many multiply-adds per matrix, a batch is computed by a plain
// loop, one matrix per thread, instead of one gemm call per matrix.
constexpr int64_t kSmallMatmul = 16 * 16 * 16;

// Offset (in elements) of batch element i of x, whose leading dims are the batch.
int64_t batch_offset(const Tensor& x, int64_t i) {
  const Shape& s = x.shape();
  const Shape& st = x.strides();
  int64_t off = 0;
  for (int64_t d = x.dim() - 3; d >= 0; --d) {
    off += (i % s[d]) * st[d];
    i /= s[d];
  }
  return off;
}

int64_t batch_count(const Tensor& x) { return numel_of(Shape(x.shape().begin(), x.shape().end() - 2)); }

// c (n, m, contiguous) = a (n, k) @ b (k, m), any strides: the i-p-j loop, whose
// inner loop runs along a row of b and of c.
template <typename T>
void loop_matmul(const T* a, int64_t as0, int64_t as1, const T* b, int64_t bs0, int64_t bs1, T* c, int64_t n, int64_t k,
                 int64_t m) {
  for (int64_t i = 0; i < n; ++i) {
    T* ci = c + i * m;
    std::fill(ci, ci + m, T(0));
    for (int64_t p = 0; p < k; ++p) {
      const T aip = a[i * as0 + p * as1];
      const T* bp = b + p * bs0;
      if (bs1 == 1) {
        for (int64_t j = 0; j < m; ++j) ci[j] += aip * bp[j];
      } else {
        for (int64_t j = 0; j < m; ++j) ci[j] += aip * bp[j * bs1];
      }
    }
  }
}

void trsm(bool upper, bool trans, bool unit, int n, int k, const float* a, int lda, float* x, int ldx) {
  cblas_strsm(CblasRowMajor, CblasLeft, upper ? CblasUpper : CblasLower, trans ? CblasTrans : CblasNoTrans,
              unit ? CblasUnit : CblasNonUnit, n, k, 1.0f, a, lda, x, ldx);
}
void trsm(bool upper, bool trans, bool unit, int n, int k, const double* a, int lda, double* x, int ldx) {
  cblas_dtrsm(CblasRowMajor, CblasLeft, upper ? CblasUpper : CblasLower, trans ? CblasTrans : CblasNoTrans,
              unit ? CblasUnit : CblasNonUnit, n, k, 1.0, a, lda, x, ldx);
}

}  // namespace

// out[t] = a[t] @ b[t] for every batch element t
void matmul(const Tensor& out, const Tensor& a_, const Tensor& b_) {
  Tensor a = a_, b = b_;  // blas_ready may replace them with row-major copies
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  const int64_t batch = batch_count(out);
  dispatch_numeric(a.dtype(), "matmul", [&]<typename T>() {
    T* pc = out.data_ptr<T>();
    if (!std::is_floating_point_v<T> || (batch > 1 && n * k * m <= kSmallMatmul)) {
      const T* pa = a.data_ptr<T>();
      const T* pb = b.data_ptr<T>();
      const int64_t as0 = a.stride(-2), as1 = a.stride(-1), bs0 = b.stride(-2), bs1 = b.stride(-1);
      auto one = [&](int64_t i) {
        loop_matmul(pa + batch_offset(a, i), as0, as1, pb + batch_offset(b, i), bs0, bs1, pc + i * n * m, n, k, m);
      };
      if (batch > 1 && batch * n * k * m >= kParallelGrain) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < batch; ++i) one(i);
      } else {
        for (int64_t i = 0; i < batch; ++i) one(i);
      }
      return;
    }
    if constexpr (std::is_floating_point_v<T>) {
      const Layout la = blas_ready(a), lb = blas_ready(b);
      const T* pa = a.data_ptr<T>();
      const T* pb = b.data_ptr<T>();
      for (int64_t i = 0; i < batch; ++i)
        gemm(la.trans, lb.trans, n, m, k, pa + batch_offset(a, i), la.ld, pb + batch_offset(b, i), lb.ld, T(0),
             pc + i * n * m, m);
    }
  });
}

// out = A^{-1} out, one triangular solve per batch element
void solve_triangular_(const Tensor& out, const Tensor& a_, bool upper, bool unitriangular) {
  Tensor a = a_;  // blas_ready may replace it with a row-major copy
  const int64_t n = a.size(-1), k = out.size(-1);
  const int64_t batch = batch_count(out);
  dispatch_floating(a.dtype(), "solve_triangular", [&]<typename T>() {
    // A stored transposed is the transpose of a triangle of the other kind.
    const Layout la = blas_ready(a);
    const bool stored_upper = la.trans ? !upper : upper;
    const T* pa = a.data_ptr<T>();
    T* px = out.data_ptr<T>();
    const int64_t diag_step = a.stride(-2) + a.stride(-1);
    for (int64_t i = 0; i < batch; ++i) {
      const T* ai = pa + batch_offset(a, i);
      if (!unitriangular)
        for (int64_t d = 0; d < n; ++d)
          DGM_CHECK(ai[d * diag_step] != T(0), "solve_triangular: the triangular matrix is singular (diagonal element ",
                    d, " is zero", batch > 1 ? ", batch element " + std::to_string(i) : std::string(), ")");
      trsm(stored_upper, la.trans, unitriangular, static_cast<int>(n), static_cast<int>(k), ai, static_cast<int>(la.ld),
           px + i * n * k, static_cast<int>(k));
    }
  });
}

}  // namespace dgm::cpu
