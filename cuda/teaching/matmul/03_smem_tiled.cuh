// Matmul ladder, step 3: shared-memory tiling.
//
// Step 2 loads every A and B value from global memory once per multiply-add. Here a 32x32 block of
// threads computes a 32x32 tile of C and walks along K in steps of 32: at each step the block copies a
// 32x32 tile of A and a 32x32 tile of B into shared memory (each thread copies one float of each, with
// coalesced loads), waits for everyone (__syncthreads), and then every thread does 32 multiply-adds
// reading only shared memory. Each value brought from global memory is now used 32 times, so global
// traffic drops by 32x. Shared-memory access patterns in the inner loop:
//   As[ty][k]: same address for the whole warp (a warp is one ty)  -> broadcast, no bank conflict
//   Bs[k][tx]: 32 consecutive floats                              -> 32 different banks
// What remains slow: every multiply-add still needs two shared-memory loads, so the kernel is now
// bound by shared-memory bandwidth and instruction issue. Step 4 keeps values in registers.
//
// Edges: tiles that stick out of A or B are filled with zeros (which add nothing to the dot product),
// and only in-range C elements are stored, so any M, N, K works.
#pragma once
#include <cuda_runtime.h>

namespace ladder {

constexpr int kSmemTile = 32;

// C[row][col] = sum over K-tiles t of sum_k As_t[ty][k] * Bs_t[k][tx] (tiles staged in shared memory)
__global__ void matmul_smem_tiled_kernel(const float* A, const float* B, float* C, int M, int N, int K) {
  __shared__ float As[kSmemTile][kSmemTile];
  __shared__ float Bs[kSmemTile][kSmemTile];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * kSmemTile + ty;
  const int col = blockIdx.x * kSmemTile + tx;
  float acc = 0.0f;
  // No early return for out-of-range threads: every thread must reach both __syncthreads.
  for (int k0 = 0; k0 < K; k0 += kSmemTile) {
    As[ty][tx] = (row < M && k0 + tx < K) ? A[(size_t)row * K + k0 + tx] : 0.0f;
    Bs[ty][tx] = (k0 + ty < K && col < N) ? B[(size_t)(k0 + ty) * N + col] : 0.0f;
    __syncthreads();  // tiles complete before anyone reads them
#pragma unroll
    for (int k = 0; k < kSmemTile; ++k) acc += As[ty][k] * Bs[k][tx];
    __syncthreads();  // everyone done reading before the next iteration overwrites the tiles
  }
  if (row < M && col < N) C[(size_t)row * N + col] = acc;
}

inline cudaError_t matmul_smem_tiled(const float* A, const float* B, float* C, int M, int N, int K,
                                     cudaStream_t stream = 0) {
  if (M <= 0 || N <= 0 || K <= 0) return cudaErrorInvalidValue;
  const dim3 block(kSmemTile, kSmemTile);  // 1024 threads; 2 * 4 KiB of static shared memory
  const dim3 grid((N + kSmemTile - 1) / kSmemTile, (M + kSmemTile - 1) / kSmemTile);
  if (grid.y > 65535) return cudaErrorInvalidConfiguration;
  matmul_smem_tiled_kernel<<<grid, block, 0, stream>>>(A, B, C, M, N, K);
  return cudaGetLastError();
}

}  // namespace ladder
