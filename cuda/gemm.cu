// The one cuBLAS handle and the one GEMM entry (cuda/cublas_handle.h).
//
// cuBLAS is column-major, dgm row-major. A row-major (r, c) matrix with row
// stride ld is, read column-major, its transpose (c, r) with the same ld. So
// for row-major C = op(A) op(B) we ask cuBLAS for the column-major product
//   C^T = op(B)^T op(A)^T    (N x M = (N x K)(K x M)),
// i.e. B's buffer goes first and A's second, and C's buffer with ldc holds C
// row by row. A matrix stored as the row-major layout of its transpose is,
// read column-major, the matrix itself: that operand gets CUBLAS_OP_T.
#include <cublas_v2.h>

#include <algorithm>
#include <climits>
#include <type_traits>

#include "cuda/cublas_handle.h"
#include "cuda/runtime.h"
#include "tensor/error.h"

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

// cuBLAS documents no limit on batchCount, but its kernels may map batches to
// a grid dim; chunks of at most 65535 stay clear of the gridDim.y/z limit.
constexpr int64_t kMaxBatchPerCall = 65535;

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// Column-major C (M x N) = op(A) op(B) + beta C for `count` matrices: one
// cublas?gemm call for one matrix, one cublas?gemmStridedBatched for several.
cublasStatus_t gemm_call(cublasOperation_t ta, cublasOperation_t tb, int M, int N, int K, const float* A, int lda,
                         long long sA, const float* B, int ldb, long long sB, float beta, float* C, int ldc,
                         long long sC, int count) {
  const float one = 1.0f;
  if (count == 1) return cublasSgemm(cublas_handle(), ta, tb, M, N, K, &one, A, lda, B, ldb, &beta, C, ldc);
  return cublasSgemmStridedBatched(cublas_handle(), ta, tb, M, N, K, &one, A, lda, sA, B, ldb, sB, &beta, C, ldc, sC,
                                   count);
}
cublasStatus_t gemm_call(cublasOperation_t ta, cublasOperation_t tb, int M, int N, int K, const double* A, int lda,
                         long long sA, const double* B, int ldb, long long sB, double beta, double* C, int ldc,
                         long long sC, int count) {
  const double one = 1.0;
  if (count == 1) return cublasDgemm(cublas_handle(), ta, tb, M, N, K, &one, A, lda, B, ldb, &beta, C, ldc);
  return cublasDgemmStridedBatched(cublas_handle(), ta, tb, M, N, K, &one, A, lda, sA, B, ldb, sB, &beta, C, ldc, sC,
                                   count);
}

template <typename T>
const char* gemm_name(bool batched) {
  if constexpr (std::is_same_v<T, float>)
    return batched ? "cublasSgemmStridedBatched" : "cublasSgemm";
  else
    return batched ? "cublasDgemmStridedBatched" : "cublasDgemm";
}

}  // namespace

template <typename T>
void gemm(const char* op, const std::string& detail, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A,
          int64_t lda, int64_t sA, const T* B, int64_t ldb, int64_t sB, T beta, T* C, int64_t ldc, int64_t sC,
          int64_t batch) {
  DGM_CHECK(fits_int(M) && fits_int(N) && fits_int(K) && fits_int(lda) && fits_int(ldb) && fits_int(ldc), op,
            ": a GEMM of size ", M, " x ", N, " x ", K, " exceeds cuBLAS's int32 sizes", detail.empty() ? "" : " on ",
            detail);
  // C^T = op(B)^T op(A)^T: cuBLAS's first operand is our B, its second our A.
  const cublasOperation_t op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N, op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  for (int64_t j0 = 0; j0 < batch; j0 += kMaxBatchPerCall) {
    const int64_t count = std::min(kMaxBatchPerCall, batch - j0);
    const cublasStatus_t st = gemm_call(op_b, op_a, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
                                        B + j0 * sB, static_cast<int>(ldb), sB, A + j0 * sA, static_cast<int>(lda), sA,
                                        beta, C + j0 * sC, static_cast<int>(ldc), sC, static_cast<int>(count));
    if (st != CUBLAS_STATUS_SUCCESS) check_cublas(st, op, gemm_name<T>(count > 1), detail);
  }
  check_launch(op);
}

template void gemm<float>(const char*, const std::string&, bool, bool, int64_t, int64_t, int64_t, const float*, int64_t,
                          int64_t, const float*, int64_t, int64_t, float, float*, int64_t, int64_t, int64_t);
template void gemm<double>(const char*, const std::string&, bool, bool, int64_t, int64_t, int64_t, const double*,
                           int64_t, int64_t, const double*, int64_t, int64_t, double, double*, int64_t, int64_t,
                           int64_t);

}  // namespace dgm::cuda
