// Matmul ladder, step 4: 2-D register tiling (register blocking).
//
// In step 3 each thread computes ONE output and needs two shared-memory loads per multiply-add. Here
// each thread computes an 8x8 block of outputs held in 64 registers. For every k it loads 8 values of A
// and 8 values of B from shared memory into registers and does 8 x 8 = 64 multiply-adds with them (an
// outer product): 16 shared loads per 64 FMAs instead of 2 per 1, an 8x cut in shared-memory traffic.
// The block tile grows to 128 x 128 of C (256 threads x 64 outputs), so each float fetched from global
// memory is reused 128 times instead of 32. The kernel is now limited mostly by FMA throughput.
//
// Tile sizes: BM = BN = 128 rows/columns of C per block, BK = 8 steps of K per shared-memory tile,
// 256 threads, TM = TN = 8 outputs per thread in each direction. Shared memory: 2 * 128 * 8 floats = 8 KiB.
//
// Which 8x8 outputs does a thread own? Thread (tRow, tCol) = (tid / 16, tid % 16) owns rows
// tRow + 16*i and columns tCol + 16*j (i, j = 0..7): its outputs are spread 16 apart, not contiguous.
// That choice keeps shared memory conflict-free: for one k, the 16 threads of a half-warp read
// Bs[k][tCol + 16*j] = 16 consecutive floats (16 different banks), and the two tRow values of a warp
// read As rows 8 floats apart (two different banks, each a broadcast). The stores to C are 16
// consecutive floats per half-warp. Step 5 makes each thread's outputs contiguous so it can use float4.
//
// Edges: out-of-range tile elements are loaded as 0 and out-of-range outputs are not stored: any M, N, K.
#pragma once
#include <cuda_runtime.h>

namespace ladder {

namespace reg_tiled {
constexpr int BM = 128, BN = 128, BK = 8;        // block tile of C and K-step
constexpr int TM = 8, TN = 8;                    // outputs per thread (rows, columns)
constexpr int kThreads = (BM / TM) * (BN / TN);  // 16 x 16 = 256
static_assert(kThreads == 256, "the loads below assume 256 threads");
static_assert((BM * BK) % kThreads == 0 && (BK * BN) % kThreads == 0, "tiles must split evenly over threads");
}  // namespace reg_tiled

// C[rowBase + tRow + 16i][colBase + tCol + 16j] = sum_k As[tRow + 16i][k] * Bs[k][tCol + 16j], 8x8 per thread
__global__ void __launch_bounds__(reg_tiled::kThreads, 2)
    matmul_register_tiled_kernel(const float* A, const float* B, float* C, int M, int N, int K) {
  using namespace reg_tiled;
  __shared__ float As[BM][BK];  // 128 x 8
  __shared__ float Bs[BK][BN];  // 8 x 128
  const int tid = threadIdx.x;
  const int tRow = tid / (BN / TN), tCol = tid % (BN / TN);  // 0..15 each
  const int rowBase = blockIdx.y * BM, colBase = blockIdx.x * BN;

  // The tile elements this thread copies: A tile rows aRow + 32*i at column aCol, B tile rows bRow + 2*i at
  // column bCol (i = 0..3). Consecutive threads take consecutive elements of a tile row.
  const int aRow = tid / BK, aCol = tid % BK;
  const int bRow = tid / BN, bCol = tid % BN;
  float acc[TM][TN] = {};  // the 64 outputs, in registers (all indices below are compile-time constants)
  float a[TM], b[TN];

  for (int k0 = 0; k0 < K; k0 += BK) {
    // Stage the tiles (1024 floats each, 4 per thread): a warp reads 4 rows x 8 floats of A and 32
    // consecutive floats of B per instruction. Elements outside the matrices become 0.
#pragma unroll
    for (int i = 0; i < BM * BK / kThreads; ++i) {
      const int r = aRow + i * (kThreads / BK);
      As[r][aCol] = (rowBase + r < M && k0 + aCol < K) ? A[(size_t)(rowBase + r) * K + k0 + aCol] : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < BK * BN / kThreads; ++i) {
      const int r = bRow + i * (kThreads / BN);
      Bs[r][bCol] = (k0 + r < K && colBase + bCol < N) ? B[(size_t)(k0 + r) * N + colBase + bCol] : 0.0f;
    }
    __syncthreads();  // tiles complete

#pragma unroll
    for (int k = 0; k < BK; ++k) {
#pragma unroll
      for (int i = 0; i < TM; ++i) a[i] = As[tRow + i * (BM / TM)][k];
#pragma unroll
      for (int j = 0; j < TN; ++j) b[j] = Bs[k][tCol + j * (BN / TN)];
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * b[j];  // outer product a b^T
    }
    __syncthreads();  // everyone done reading before the next K-step overwrites the tiles
  }

#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int r = rowBase + tRow + i * (BM / TM);
#pragma unroll
    for (int j = 0; j < TN; ++j) {
      const int c = colBase + tCol + j * (BN / TN);
      if (r < M && c < N) C[(size_t)r * N + c] = acc[i][j];
    }
  }
}

inline cudaError_t matmul_register_tiled(const float* A, const float* B, float* C, int M, int N, int K,
                                         cudaStream_t stream = 0) {
  using namespace reg_tiled;
  if (M <= 0 || N <= 0 || K <= 0) return cudaErrorInvalidValue;
  const dim3 block(kThreads);
  const dim3 grid((N + BN - 1) / BN, (M + BM - 1) / BM);
  if (grid.y > 65535) return cudaErrorInvalidConfiguration;
  matmul_register_tiled_kernel<<<grid, block, 0, stream>>>(A, B, C, M, N, K);
  return cudaGetLastError();
}

}  // namespace ladder
