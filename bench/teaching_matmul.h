// Two teaching matmuls for the benchmark ladder, C = A B with row-major
// A (M,K), B (K,N), C (M,N). Compare their GFLOP/s with OpenBLAS's sgemm
// in the same table to see what a real GEMM adds.
#pragma once
#include <algorithm>
#include <cstdint>

namespace dgm::bench {

// Step 1, naive: one dot product per output. The inner loop walks B down a
// column (stride N), so nearly every load of B misses the cache.
inline void matmul_naive(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t K) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += A[i * K + k] * B[k * N + j];
      C[i * N + j] = acc;
    }
}

// Step 2, cache-blocked: loop order i-k-j makes the inner loop stream along
// rows of B and C (unit stride, vectorizable), and tiling keeps a block of B
// (kTileK x kTileN floats = 64 KiB) in L2 while every row of A uses it.
// What it still lacks against OpenBLAS: register tiling (a micro-kernel that
// keeps a small block of C in registers), packing A and B into contiguous
// panels, and hand-scheduled FMA instructions.
inline void matmul_blocked(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t K) {
  constexpr int64_t kTileK = 64, kTileN = 256;
  std::fill(C, C + M * N, 0.0f);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t k0 = 0; k0 < K; k0 += kTileK)
      for (int64_t j0 = 0; j0 < N; j0 += kTileN) {
        const int64_t k1 = std::min(K, k0 + kTileK), j1 = std::min(N, j0 + kTileN);
        float* c = C + i * N;
        for (int64_t k = k0; k < k1; ++k) {
          const float a = A[i * K + k];
          const float* b = B + k * N;
          for (int64_t j = j0; j < j1; ++j) c[j] += a * b[j];
        }
      }
  }
}

}  // namespace dgm::bench
