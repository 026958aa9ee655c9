// The CPU's one GEMM entry, on OpenBLAS: matmul (tensor/cpu/blas.cpp) and the
// convolutions (tensor/cpu/conv.cpp) both call it. Sizes must fit BLAS's int
// (the callers check).
#pragma once
#include <cblas.h>

#include <cstdint>

namespace dgm::cpu {

// Row-major C (M x N) = op(A) (M x K) @ op(B) (K x N) + beta C, op(X) = X^T when ta (tb)
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B,
              ldb, beta, C, ldc);
}
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, const double* B,
                 int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0, A, lda, B,
              ldb, beta, C, ldc);
}

}  // namespace dgm::cpu
