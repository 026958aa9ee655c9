// Softmax ladder, step 4: online softmax (one pass for max and sum together).
//
// Steps 1-3 read each row three times: once for the max, once for the sum of exps, once to write.
// The online formulation keeps a running pair (m, s) = (max so far, sum of exp(x - m) so far) and
// updates it one element at a time; when a new maximum arrives, the old sum is rescaled:
//     x > m:  s = s * exp(m - x) + 1,  m = x     (old terms were relative to m, now relative to x)
//     else:   s = s + exp(x - m)
// Two partial pairs (m1, s1), (m2, s2) over disjoint elements merge the same way:
//     m = max(m1, m2),  s = s1 * exp(m1 - m) + s2 * exp(m2 - m)
// so the per-thread pairs are combined with the same warp-shuffle butterfly as step 3, just carrying two
// numbers. The row is now read twice (statistics, then write) instead of three times.
// Here the row mostly comes back from cache on the second and third read, so the gain is small; the
// idea pays off when a row does not fit on chip. It is the core of FlashAttention, which never
// materializes the attention row at all.
#pragma once
#include <cuda_runtime.h>
#include <cmath>

namespace ladder {

namespace online_softmax {
constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;

// add one element x to the running pair (m, s)
__device__ __forceinline__ void update(float& m, float& s, float x) {
  if (x > m) {
    s = s * expf(m - x) + 1.0f;  // the first element finds m = -inf, s = 0: s = 0 * exp(-inf) + 1 = 1
    m = x;
  } else if (x != -INFINITY) {  // x = -inf adds exp(-inf) = 0; skipping it also avoids exp(-inf - -inf) = NaN
    s += expf(x - m);
  }
}

// merge the pair (m2, s2) into (m, s)
__device__ __forceinline__ void merge(float& m, float& s, float m2, float s2) {
  const float mNew = fmaxf(m, m2);
  if (mNew == -INFINITY) return;  // both pairs empty (s = s2 = 0): keep (-inf, 0), avoid NaN from -inf - -inf
  s = s * expf(m - mNew) + s2 * expf(m2 - mNew);
  m = mNew;
}

// merge the pairs of the 32 lanes; every lane ends with the warp's pair
__device__ __forceinline__ void warp_merge(float& m, float& s) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    const float m2 = __shfl_xor_sync(kFullMask, m, offset);
    const float s2 = __shfl_xor_sync(kFullMask, s, offset);
    merge(m, s, m2, s2);
  }
  // merge(a, b) and merge(b, a) are equal in exact arithmetic but may round differently (the compiler
  // fuses one of the products into an FMA), so lanes can disagree in the last bit: use lane 0's pair.
  m = __shfl_sync(kFullMask, m, 0);
  s = __shfl_sync(kFullMask, s, 0);
}
}  // namespace online_softmax

// y[r][:] = exp(x[r][:] - m) / s, with (m, s) = (max, sum exp(x - max)) accumulated online in one pass
__global__ void __launch_bounds__(online_softmax::kThreads)
    softmax_online_kernel(const float* x, float* y, int rows, int cols) {
  using namespace online_softmax;
  __shared__ float mSlots[kWarps];
  __shared__ float sSlots[kWarps];
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  if ((int)blockIdx.x >= rows) return;  // the launcher starts exactly `rows` blocks; the whole block leaves together
  const float* xr = x + (size_t)blockIdx.x * cols;
  float* yr = y + (size_t)blockIdx.x * cols;

  // Pass 1: running (max, sum) per thread, then per warp, then for the block.
  float m = -INFINITY, s = 0.0f;  // the empty pair
  for (int j = tid; j < cols; j += kThreads) update(m, s, xr[j]);
  warp_merge(m, s);
  if (lane == 0) {
    mSlots[warp] = m;
    sSlots[warp] = s;
  }
  __syncthreads();
  m = lane < kWarps ? mSlots[lane] : -INFINITY;
  s = lane < kWarps ? sSlots[lane] : 0.0f;
  warp_merge(m, s);  // every warp now holds the row's (max, sum)
  const float inv = 1.0f / s;

  // Pass 2: write.
  for (int j = tid; j < cols; j += kThreads) yr[j] = expf(xr[j] - m) * inv;
}

inline cudaError_t softmax_online(const float* x, float* y, int rows, int cols, cudaStream_t stream = 0) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  softmax_online_kernel<<<rows, online_softmax::kThreads, 0, stream>>>(x, y, rows, cols);
  return cudaGetLastError();
}

}  // namespace ladder
