// Matmul ladder, step 1: the naive kernel.
//
// C = A @ B, row-major float32: A is M x K, B is K x N, C is M x N. Any M, N, K >= 1.
//
// One thread computes one output C[row][col] with a K-long dot product straight from global memory.
// The mistake this step makes on purpose: threadIdx.x (the fastest-varying index inside a warp) walks
// down the ROWS of C. The 32 threads of a warp therefore read A[row][k] from 32 different rows, K floats
// apart: one load instruction touches 32 separate 128-byte lines (uncoalesced), and the stores to C are
// just as scattered. Every loaded value is also used exactly once, so the kernel is bound by the L1's
// ability to serve scattered requests, not by arithmetic.
//
// Step 2 (02_coalesced.cuh) swaps two index lines and gets several times faster.
#pragma once
#include <cuda_runtime.h>

namespace ladder {

// C[row][col] = sum_k A[row][k] * B[k][col]; threadIdx.x -> row (uncoalesced on purpose)
__global__ void matmul_naive_kernel(const float* A, const float* B, float* C, int M, int N, int K) {
  const int row = blockIdx.x * blockDim.x + threadIdx.x;
  const int col = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= M || col >= N) return;  // no __syncthreads below, so an early return is safe
  float acc = 0.0f;
  for (int k = 0; k < K; ++k) acc += A[(size_t)row * K + k] * B[(size_t)k * N + col];
  C[(size_t)row * N + col] = acc;
}

inline cudaError_t matmul_naive(const float* A, const float* B, float* C, int M, int N, int K,
                                cudaStream_t stream = 0) {
  if (M <= 0 || N <= 0 || K <= 0) return cudaErrorInvalidValue;
  const dim3 block(32, 32);                                  // 1024 threads, the per-block maximum
  const dim3 grid((M + 31) / 32, (N + 31) / 32);             // x covers rows, y covers columns
  if (grid.y > 65535) return cudaErrorInvalidConfiguration;  // gridDim.y limit
  matmul_naive_kernel<<<grid, block, 0, stream>>>(A, B, C, M, N, K);
  return cudaGetLastError();
}

}  // namespace ladder
