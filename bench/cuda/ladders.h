// The three ladders of dgm_kernel_ladder, one file each. Each run_* checks every step of its ladder
// (cuda/teaching/<ladder>/) against a double-precision CPU reference on one shape and, when `timed`,
// also times it against its references and prints a table; every result row goes to g_results.
#pragma once
#include <cublas_v2.h>
#include <cudnn.h>

#include "ladder_common.cuh"

namespace kernel_ladder {

// C = A @ B (M x K times K x N), row-major float32; references: cuBLAS sgemm FP32 and TF32 (matmul_ladder.cu)
void run_matmul(int M, int N, int K, bool timed, const Options& opt, cublasHandle_t cublas);
// softmax over the last dim of (rows, cols); references: memcpy D2D and cuDNN (softmax_ladder.cu)
void run_softmax(int rows, int cols, bool timed, const Options& opt, cudnnHandle_t cudnn);
// layer_norm over the last dim of (rows, cols); reference: memcpy D2D (layer_norm_ladder.cu)
void run_layer_norm(int rows, int cols, bool timed, const Options& opt);

}  // namespace kernel_ladder
