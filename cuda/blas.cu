// CUDA matmul: cuBLAS for float32/float64, a plain kernel for int64.
//
// cuBLAS is column-major, dgm row-major. A row-major (r, c) matrix with row
// stride ld is, read column-major, its transpose (c, r) with the same ld. So
// for row-major C = A B we ask cuBLAS for the column-major product
//   C^T = B^T A^T    (m x n = (m x k)(k x n)),
// i.e. we pass b's buffer first and a's second, and C's buffer with ldc = m
// holds C row by row. A matrix stored as the row-major layout of its
// transpose (strides (1, ld), e.g. x.mT() of a contiguous x) is, read
// column-major, the matrix itself: that operand gets CUBLAS_OP_T instead of
// CUBLAS_OP_N. Other layouts (a step in the last dim, ...) are copied first.
//
// Batches: the front end has already broadcast the batch dims, a broadcast
// dim having stride 0. The trailing batch dims whose offsets are i * s for one
// stride s per operand (s may be 0: the matrix is reused, never copied) go to
// one cublas?gemmStridedBatched call; leading dims that do not fit that
// pattern (e.g. (2,1,3,4) @ (5,4,6) broadcast to a (2,5) batch: strides
// (12, 0) and (0, 24)) are looped over on the host, one call each.
//
// Precision: the handle uses CUBLAS_DEFAULT_MATH, so float32 GEMMs compute in
// float32 (no TF32 tensor-core rounding); see cuda/cublas_handle.h.
#include <cublas_v2.h>

#include <algorithm>
#include <climits>
#include <string>
#include <type_traits>

#include "cuda/cublas_handle.h"
#include "cuda/elementwise.cuh"
#include "cuda/kernels.h"
#include "cuda/runtime.h"
#include "tensor/kernels/matrix_layout.h"

namespace dgm::cuda {

void check_cublas(cublasStatus_t status, const char* op, const char* call, const std::string& detail) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  DGM_FAIL(op, ": ", call, " failed", detail.empty() ? "" : " on ", detail, ": ", cublasGetStatusName(status), " (",
           cublasGetStatusString(status), ")");
}

// One handle for the process, created on first use. cuBLAS handles are not
// meant for concurrent use by several host threads; dgm issues its GPU work
// from one thread at a time.
cublasHandle_t cublas_handle() {
  static cublasHandle_t handle = [] {
    cublasHandle_t h = nullptr;
    check_cublas(cublasCreate(&h), "cuBLAS", "cublasCreate", "");
    check_cublas(cublasSetStream(h, stream()), "cuBLAS", "cublasSetStream", "");
    // Full float32: no TF32 (CUBLAS_TF32_TENSOR_OP_MATH would allow it).
    check_cublas(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), "cuBLAS", "cublasSetMathMode", "");
    return h;
  }();
  return handle;
}

namespace {

using kernels::blas_ready;  // tensor/kernels/matrix_layout.h: the layouts cuBLAS takes as they are
using kernels::Layout;

// The batch dims split in two: `outer` dims looped over on the host (each with
// its own offset in a and b), then `inner` matrices at a uniform stride (sa, sb).
struct BatchPlan {
  Shape outer_size, outer_sa, outer_sb;
  int64_t inner = 1, sa = 0, sb = 0;
};
BatchPlan plan_batch(const Tensor& a, const Tensor& b) {
  BatchPlan p;
  int64_t d = a.dim() - 3;
  bool started = false;
  for (; d >= 0; --d) {
    const int64_t size = a.size(d), ta = a.stride(d), tb = b.stride(d);
    if (size == 1) continue;
    if (!started) {
      if (ta < 0 || tb < 0) break;  // cuBLAS wants non-negative batch strides: loop instead
      p.sa = ta, p.sb = tb, p.inner = size, started = true;
    } else if (ta == p.sa * p.inner && tb == p.sb * p.inner) {
      p.inner *= size;
    } else {
      break;
    }
  }
  for (int64_t e = 0; e <= d; ++e) {
    if (a.size(e) == 1) continue;
    p.outer_size.push_back(a.size(e));
    p.outer_sa.push_back(a.stride(e));
    p.outer_sb.push_back(b.stride(e));
  }
  return p;
}

// cuBLAS documents no limit on batchCount, but its kernels may map batches to
// a grid dim; chunks of at most 65535 stay clear of the gridDim.y/z limit.
constexpr int64_t kMaxBatchPerCall = 65535;

// C (col-major M x N) = op(A) op(B) for `count` matrices at strides sA, sB, sC.
cublasStatus_t gemm(cublasOperation_t ta, cublasOperation_t tb, int M, int N, int K, const float* A, int lda,
                    long long sA, const float* B, int ldb, long long sB, float* C, int ldc, long long sC, int count) {
  const float one = 1.0f, zero = 0.0f;
  if (count == 1) return cublasSgemm(cublas_handle(), ta, tb, M, N, K, &one, A, lda, B, ldb, &zero, C, ldc);
  return cublasSgemmStridedBatched(cublas_handle(), ta, tb, M, N, K, &one, A, lda, sA, B, ldb, sB, &zero, C, ldc, sC,
                                   count);
}
cublasStatus_t gemm(cublasOperation_t ta, cublasOperation_t tb, int M, int N, int K, const double* A, int lda,
                    long long sA, const double* B, int ldb, long long sB, double* C, int ldc, long long sC,
                    int count) {
  const double one = 1.0, zero = 0.0;
  if (count == 1) return cublasDgemm(cublas_handle(), ta, tb, M, N, K, &one, A, lda, B, ldb, &zero, C, ldc);
  return cublasDgemmStridedBatched(cublas_handle(), ta, tb, M, N, K, &one, A, lda, sA, B, ldb, sB, &zero, C, ldc, sC,
                                   count);
}
template <typename T>
const char* gemm_name(bool batched) {
  if constexpr (std::is_same_v<T, float>) return batched ? "cublasSgemmStridedBatched" : "cublasSgemm";
  else return batched ? "cublasDgemmStridedBatched" : "cublasDgemm";
}

// out (..., n, m) = a (..., n, k) @ b (..., k, m) through cuBLAS; n, k, m > 0.
template <typename T>
void matmul_blas(Tensor a, Tensor b, const Tensor& out) {
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  const Layout la = blas_ready(a), lb = blas_ready(b);
  const BatchPlan plan = plan_batch(a, b);
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* pc = static_cast<T*>(out.raw_data());
  // C^T = B^T A^T: cuBLAS's A is our b, its B is our a.
  const cublasOperation_t op_b = lb.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = la.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int64_t outer = numel_of(plan.outer_size);
  const int64_t mat = n * m;  // elements of one output matrix
  for (int64_t o = 0; o < outer; ++o) {
    // offsets of outer batch element o (row-major digits of o)
    int64_t oa = 0, ob = 0, rest = o;
    for (int64_t d = static_cast<int64_t>(plan.outer_size.size()) - 1; d >= 0; --d) {
      const int64_t idx = rest % plan.outer_size[d];
      rest /= plan.outer_size[d];
      oa += idx * plan.outer_sa[d];
      ob += idx * plan.outer_sb[d];
    }
    for (int64_t j0 = 0; j0 < plan.inner; j0 += kMaxBatchPerCall) {
      const int64_t count = std::min(kMaxBatchPerCall, plan.inner - j0);
      const cublasStatus_t st =
          gemm(op_b, op_a, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), pb + ob + j0 * plan.sb,
               static_cast<int>(lb.ld), plan.sb, pa + oa + j0 * plan.sa, static_cast<int>(la.ld), plan.sa,
               pc + (o * plan.inner + j0) * mat, static_cast<int>(m), mat, static_cast<int>(count));
      if (st != CUBLAS_STATUS_SUCCESS)
        check_cublas(st, "matmul", gemm_name<T>(count > 1), shape_str(a.shape()) + " @ " + shape_str(b.shape()));
    }
  }
  check_launch("matmul");
}

// c[t, i, j] = sum_p a[t, i, p] * b[t, p, j]: one thread per output element;
// `batch` turns the batch number t into the offsets of a[t] and b[t].
__global__ void matmul_int64_kernel(int64_t total, int64_t n, int64_t k, int64_t m, const int64_t* a, int64_t as0,
                                    int64_t as1, const int64_t* b, int64_t bs0, int64_t bs1, int64_t* c,
                                    StridedOffsets<2> batch) {
  DGM_GRID_STRIDE(e, total) {
    const int64_t j = e % m, row = e / m, i = row % n, t = row / n;
    int64_t off[2];
    batch.offsets(t, off);
    const int64_t* ai = a + off[0] + i * as0;
    const int64_t* bj = b + off[1] + j * bs1;
    int64_t acc = 0;
    for (int64_t p = 0; p < k; ++p) acc += ai[p * as1] * bj[p * bs0];
    c[e] = acc;
  }
}

void matmul_int64(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1), total = out.numel();
  const Shape batch(a.shape().begin(), a.shape().end() - 2);
  const Shape sa(a.strides().begin(), a.strides().end() - 2), sb(b.strides().begin(), b.strides().end() - 2);
  const StridedOffsets<2> so = make_offsets<2>("matmul", batch, {&sa, &sb});
  matmul_int64_kernel<<<grid_for(total), kBlock, 0, stream()>>>(
      total, n, k, m, static_cast<const int64_t*>(a.raw_data()), a.stride(-2), a.stride(-1),
      static_cast<const int64_t*>(b.raw_data()), b.stride(-2), b.stride(-1), static_cast<int64_t*>(out.raw_data()),
      so);
  check_launch("matmul");
}

}  // namespace

Tensor matmul(const Tensor& a_, const Tensor& b_) {
  check_on_cuda("matmul", {&a_, &b_});
  Tensor a = a_.detach(), b = b_.detach();
  DGM_CHECK(a.dtype() == b.dtype(), "matmul: expected tensors of one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  DGM_CHECK(a.dim() >= 2 && a.dim() == b.dim(), "matmul: expected matrices with the same batch dims, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  for (int64_t d = 0; d < a.dim() - 2; ++d)
    DGM_CHECK(a.size(d) == b.size(d), "matmul: batch dims differ: ", shape_str(a.shape()), " and ",
              shape_str(b.shape()));
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  DGM_CHECK(b.size(-2) == k, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
            " cannot be multiplied (", k, " != ", b.size(-2), ")");
  DGM_CHECK(n < INT_MAX && k < INT_MAX && m < INT_MAX, "matmul: matrix dims must fit in a 32-bit int for cuBLAS, got ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  Shape out_shape(a.shape().begin(), a.shape().end() - 2);
  out_shape.push_back(n);
  out_shape.push_back(m);
  Tensor out = empty(out_shape, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  if (k == 0) {  // a sum of no terms
    fill(out, 0);
    return out;
  }
  switch (a.dtype()) {
    case kFloat32: matmul_blas<float>(a, b, out); break;
    case kFloat64: matmul_blas<double>(a, b, out); break;
    case kInt64: matmul_int64(a, b, out); break;
    default: DGM_FAIL("matmul: expected a numeric tensor, got ", dtype_name(a.dtype()));
  }
  return out;
}

}  // namespace dgm::cuda
