// The one cuBLAS handle of dgm (cuda/blas.cu), for code that calls cuBLAS
// itself (benchmarks, other kernels). Internal: needs the CUDA headers.
//
// Created on first use, bound to stream 0 (cuda/runtime.h: stream()), with
// math mode CUBLAS_DEFAULT_MATH: float32 GEMMs run in full float32, never in
// TF32 (TF32 would round the inputs to 10 mantissa bits, and results would
// no longer agree with the CPU to float32 precision). It is never destroyed:
// destroying it at exit could run after the CUDA runtime has shut down.
#pragma once
#include <cublas_v2.h>

#include <string>

namespace dgm::cuda {

cublasHandle_t cublas_handle();

// Throws dgm::Error "<op>: <call> failed on <detail>: CUBLAS_STATUS_... (<text>)"
// when status is not CUBLAS_STATUS_SUCCESS (detail: the shapes, or "").
void check_cublas(cublasStatus_t status, const char* op, const char* call, const std::string& detail);

}  // namespace dgm::cuda
