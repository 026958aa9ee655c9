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

#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/dispatch.h"
#include "tensor/kernels/matrix_layout.h"
#include "tensor/kernels/linalg.h"
#include "tensor/parallel.h"

namespace dgm::kernels {
namespace {

// Below this many multiply-adds per matrix, a batch is computed by a plain
// loop, one matrix per thread, instead of one gemm call per matrix.
constexpr int64_t kSmallMatmul = 16 * 16 * 16;

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.is_cpu() && b.is_cpu(), op, ": CPU kernel got tensors on ", a.device().str(), " and ",
            b.device().str());
  DGM_CHECK(a.dtype() == b.dtype(), op, ": expected tensors of one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  DGM_CHECK(a.dim() >= 2 && a.dim() == b.dim(), op, ": expected matrices with the same batch dims, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  for (int64_t d = 0; d < a.dim() - 2; ++d)
    DGM_CHECK(a.size(d) == b.size(d), op, ": batch dims differ: ", shape_str(a.shape()), " and ",
              shape_str(b.shape()));
  for (int64_t d = a.dim() - 2; d < a.dim(); ++d)
    DGM_CHECK(a.size(d) < INT_MAX && b.size(d) < INT_MAX, op, ": matrix dims must fit in a 32-bit int for BLAS");
}

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


void gemm(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda,
              b, ldb, 0.0f, c, ldc);
}
void gemm(bool ta, bool tb, int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c,
          int ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda, b,
              ldb, 0.0, c, ldc);
}

// c (n, m, contiguous) = a (n, k) @ b (k, m), any strides: the i-p-j loop, whose
// inner loop runs along a row of b and of c.
template <typename T>
void loop_matmul(const T* a, int64_t as0, int64_t as1, const T* b, int64_t bs0, int64_t bs1, T* c, int64_t n,
                 int64_t k, int64_t m) {
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

Tensor matmul(const Tensor& a_, const Tensor& b_) {
  DGM_DISPATCH_CUDA(a_, cuda::matmul(a_, b_));
  Tensor a = a_.detach(), b = b_.detach();
  check_operands("matmul", a, b);
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  DGM_CHECK(b.size(-2) == k, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
            " cannot be multiplied (", k, " != ", b.size(-2), ")");
  Shape out_shape(a.shape().begin(), a.shape().end() - 2);
  out_shape.push_back(n);
  out_shape.push_back(m);
  Tensor out = empty(out_shape, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  if (k == 0) {
    fill(out, 0);
    return out;
  }
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
        gemm(la.trans, lb.trans, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k),
             pa + batch_offset(a, i), static_cast<int>(la.ld), pb + batch_offset(b, i), static_cast<int>(lb.ld),
             pc + i * n * m, static_cast<int>(m));
    }
  });
  return out;
}

Tensor solve_triangular(const Tensor& a_, const Tensor& b_, bool upper, bool unitriangular) {
  DGM_DISPATCH_CUDA(a_, cuda::solve_triangular(a_, b_, upper, unitriangular));
  Tensor a = a_.detach(), b = b_.detach();
  check_operands("solve_triangular", a, b);
  const int64_t n = a.size(-1), k = b.size(-1);
  DGM_CHECK(a.size(-2) == n && b.size(-2) == n, "solve_triangular: expected A (..., n, n) and B (..., n, k), got ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  Tensor out = empty(b.shape(), b.dtype(), b.device());
  copy(out, b);
  if (out.numel() == 0) return out;
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
      trsm(stored_upper, la.trans, unitriangular, static_cast<int>(n), static_cast<int>(k), ai,
           static_cast<int>(la.ld), px + i * n * k, static_cast<int>(k));
    }
  });
  return out;
}

}  // namespace dgm::kernels
