// Matmul ladder, step 5: vectorized (float4) loads and stores, A tile stored transposed.
//
// Step 4 moves every float with its own instruction: 4 global loads + 4 shared stores per tile per
// thread, and 16 scalar shared loads per k. This step moves 4 floats (16 bytes) per instruction:
//   - global -> shared: each thread loads ONE float4 of A and ONE float4 of B per K-step;
//   - shared -> registers: 4 float4 loads per k instead of 16 scalar loads;
//   - registers -> C: float4 stores.
// Fewer instructions leave more issue slots for the FMAs, and 128-bit accesses use the memory
// pipelines more efficiently.
//
// Two layout changes make the float4 shared-memory reads possible:
//   1. A's tile is stored TRANSPOSED, As[k][m]: the 8 A values a thread needs for one k are then
//      contiguous along m (in step 4 they were 8 floats apart along a row of As[m][k]).
//      The row length is padded from 128 to 132 floats so that the transposing stores (4 scalar stores
//      of the loaded float4 into 4 different rows of As) fall into 32 different banks.
//   2. A thread's 8x8 outputs are two 4x4 groups per direction: rows tRow*4 + {0..3} and
//      64 + tRow*4 + {0..3}, columns tCol*4 + {0..3} and 64 + tCol*4 + {0..3}. Four consecutive
//      outputs make one float4, and for one k the 16 threads of a half-warp read Bs[k][tCol*4 .. +3] =
//      256 contiguous bytes (conflict-free), while a warp reads only two A addresses (broadcasts).
//
// Assumption (checked on the host, the launcher returns cudaErrorInvalidValue otherwise):
//   N % 4 == 0 and K % 4 == 0 and A, B, C 16-byte aligned, so that every row of A, B and C starts on a
//   16-byte boundary and a float4 never straddles the end of a row. M is arbitrary; tiles sticking out of
//   the matrices are zero-filled per float4 and out-of-range float4 stores are skipped.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>

namespace ladder {

namespace vectorized {
constexpr int BM = 128, BN = 128, BK = 8;
constexpr int TM = 8, TN = 8;
constexpr int kThreads = (BM / TM) * (BN / TN);  // 256
constexpr int kAsStride = BM + 4;                // padded row of the transposed A tile (see above)
static_assert(kThreads == 256, "one float4 of A and one of B per thread per K-step needs 256 threads");
static_assert(BM * BK / 4 == kThreads && BK * BN / 4 == kThreads, "tile float4 count must equal threads");
static_assert(kAsStride % 4 == 0, "float4 reads from As need 16-byte-aligned rows");
}  // namespace vectorized

// C = A @ B with float4 traffic; thread owns rows {tRow*4, 64 + tRow*4} + 0..3 and cols {tCol*4, 64 + tCol*4} + 0..3
__global__ void __launch_bounds__(vectorized::kThreads, 2)
    matmul_vectorized_kernel(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C, int M,
                             int N, int K) {
  using namespace vectorized;
  __shared__ __align__(16) float As[BK][kAsStride];  // transposed: As[k][m]
  __shared__ __align__(16) float Bs[BK][BN];
  const int tid = threadIdx.x;
  const int tRow = tid / 16, tCol = tid % 16;
  const int rowBase = blockIdx.y * BM, colBase = blockIdx.x * BN;

  // This thread's float4 in each tile: A tile is 128 rows x 2 float4, B tile is 8 rows x 32 float4.
  const int aRow = tid / (BK / 4), aCol = (tid % (BK / 4)) * 4;
  const int bRow = tid / (BN / 4), bCol = (tid % (BN / 4)) * 4;

  float acc[TM][TN] = {};
  float a[TM], b[TN];
  const float4 zero = make_float4(0.0f, 0.0f, 0.0f, 0.0f);

  for (int k0 = 0; k0 < K; k0 += BK) {
    {  // A: global float4 -> 4 scalar stores down a column of the transposed tile
      const int gr = rowBase + aRow, gc = k0 + aCol;  // gc % 4 == 0 and K % 4 == 0: gc < K covers gc + 3
      const float4 v = (gr < M && gc < K) ? *reinterpret_cast<const float4*>(&A[(size_t)gr * K + gc]) : zero;
      As[aCol + 0][aRow] = v.x;
      As[aCol + 1][aRow] = v.y;
      As[aCol + 2][aRow] = v.z;
      As[aCol + 3][aRow] = v.w;
    }
    {                                                 // B: global float4 -> shared float4
      const int gr = k0 + bRow, gc = colBase + bCol;  // gc % 4 == 0 and N % 4 == 0: gc < N covers gc + 3
      const float4 v = (gr < K && gc < N) ? *reinterpret_cast<const float4*>(&B[(size_t)gr * N + gc]) : zero;
      *reinterpret_cast<float4*>(&Bs[bRow][bCol]) = v;
    }
    __syncthreads();  // tiles complete

#pragma unroll
    for (int k = 0; k < BK; ++k) {
      const float4 a0 = *reinterpret_cast<const float4*>(&As[k][tRow * 4]);
      const float4 a1 = *reinterpret_cast<const float4*>(&As[k][BM / 2 + tRow * 4]);
      const float4 b0 = *reinterpret_cast<const float4*>(&Bs[k][tCol * 4]);
      const float4 b1 = *reinterpret_cast<const float4*>(&Bs[k][BN / 2 + tCol * 4]);
      a[0] = a0.x;
      a[1] = a0.y;
      a[2] = a0.z;
      a[3] = a0.w;
      a[4] = a1.x;
      a[5] = a1.y;
      a[6] = a1.z;
      a[7] = a1.w;
      b[0] = b0.x;
      b[1] = b0.y;
      b[2] = b0.z;
      b[3] = b0.w;
      b[4] = b1.x;
      b[5] = b1.y;
      b[6] = b1.z;
      b[7] = b1.w;
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();  // everyone done reading before the next K-step overwrites the tiles
  }

#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int r = rowBase + (i < 4 ? tRow * 4 + i : BM / 2 + tRow * 4 + (i - 4));
    if (r >= M) continue;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int c = colBase + h * (BN / 2) + tCol * 4;
      if (c < N)  // c % 4 == 0 and N % 4 == 0: the whole float4 is in range
        *reinterpret_cast<float4*>(&C[(size_t)r * N + c]) =
            make_float4(acc[i][h * 4 + 0], acc[i][h * 4 + 1], acc[i][h * 4 + 2], acc[i][h * 4 + 3]);
    }
  }
}

// The shapes and pointers this kernel accepts (see the assumption in the header comment).
inline bool matmul_vectorized_supports(const float* A, const float* B, const float* C, int M, int N, int K) {
  const auto aligned16 = [](const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; };
  return M > 0 && N > 0 && K > 0 && N % 4 == 0 && K % 4 == 0 && aligned16(A) && aligned16(B) && aligned16(C);
}

inline cudaError_t matmul_vectorized(const float* A, const float* B, float* C, int M, int N, int K,
                                     cudaStream_t stream = 0) {
  using namespace vectorized;
  if (!matmul_vectorized_supports(A, B, C, M, N, K)) return cudaErrorInvalidValue;
  const dim3 block(kThreads);
  const dim3 grid((N + BN - 1) / BN, (M + BM - 1) / BM);
  if (grid.y > 65535) return cudaErrorInvalidConfiguration;
  matmul_vectorized_kernel<<<grid, block, 0, stream>>>(A, B, C, M, N, K);
  return cudaGetLastError();
}

}  // namespace ladder
