// The one cuBLAS handle of dgm and the one GEMM entry (cuda/gemm.cu): matmul
// (cuda/blas.cu) and the im2col convolutions (cuda/conv_im2col.cu) call
// gemm(); benchmarks that call cuBLAS themselves use cublas_handle().
// Internal: needs the CUDA headers.
//
// The handle is created on first use, bound to stream 0 (cuda/runtime.h:
// stream()), with math mode CUBLAS_DEFAULT_MATH: float32 GEMMs run in full
// float32, never in TF32 (TF32 would round the inputs to 10 mantissa bits,
// and results would no longer agree with the CPU to float32 precision). It is
// never destroyed: destroying it at exit could run after the CUDA runtime has
// shut down.
#pragma once
#include <cublas_v2.h>

#include <cstdint>
#include <string>

namespace dgm::cuda {

cublasHandle_t cublas_handle();

// Throws dgm::Error "<op>: <call> failed on <detail>: CUBLAS_STATUS_... (<text>)"
// when status is not CUBLAS_STATUS_SUCCESS (detail: the shapes, or "").
void check_cublas(cublasStatus_t status, const char* op, const char* call, const std::string& detail);

// Row-major C (M x N) = op(A) (M x K) @ op(B) (K x N) + beta C, op(X) = X^T
// when ta (tb), for `batch` matrices at element strides sA, sB, sC (a stride
// 0 reuses one matrix for all). T is float or double. Errors name op and detail.
template <typename T>
void gemm(const char* op, const std::string& detail, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A,
          int64_t lda, int64_t sA, const T* B, int64_t ldb, int64_t sB, T beta, T* C, int64_t ldc, int64_t sC,
          int64_t batch);

}  // namespace dgm::cuda
