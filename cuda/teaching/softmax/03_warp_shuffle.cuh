// Softmax ladder, step 3: warp-shuffle reductions.
//
// Same layout as step 2 (one block of 256 threads per row, three coalesced passes); only the reduction
// changes. The 32 threads of a warp can read each other's registers directly with __shfl_xor_sync, no
// shared memory and no barrier involved. A butterfly over offsets 16, 8, 4, 2, 1 leaves the warp's
// max (or sum) in EVERY lane after 5 steps:
//     v = op(v, __shfl_xor_sync(0xffffffff, v, offset))   // lane i combines with lane i ^ offset
// Then one shared-memory slot per warp (8 floats), ONE __syncthreads, and each warp reduces the 8
// partials again with shuffles, so all 256 threads end up with the row's result.
// Per reduction: 1 barrier instead of 9, 8 shared-memory stores instead of 255 loads + stores.
// (The win in time is modest here because softmax is bound by DRAM bandwidth, not by the reduction;
// the technique matters more for short rows and is the basis of the next steps.)
#pragma once
#include <cuda_runtime.h>
#include <cmath>

namespace ladder {

namespace softmax_shuffle {
constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;  // all 32 lanes take part (blockDim is a multiple of 32)

// max over the 32 lanes of a warp, returned in every lane
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, offset));
  return v;
}

// sum over the 32 lanes of a warp, returned in every lane
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(kFullMask, v, offset);
  return v;
}

// max over the block, returned in every thread; `slots` must hold kWarps floats used by no one else
__device__ __forceinline__ float block_max(float v, float* slots) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warp_max(v);
  if (lane == 0) slots[warp] = v;
  __syncthreads();
  return warp_max(lane < kWarps ? slots[lane] : -INFINITY);
}

// sum over the block, returned in every thread; `slots` must hold kWarps floats used by no one else
__device__ __forceinline__ float block_sum(float v, float* slots) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warp_sum(v);
  if (lane == 0) slots[warp] = v;
  __syncthreads();
  return warp_sum(lane < kWarps ? slots[lane] : 0.0f);
}
}  // namespace softmax_shuffle

// y[r][:] = exp(x[r][:] - max) / sum exp(x[r][:] - max); block r, partials combined by warp shuffles
__global__ void __launch_bounds__(softmax_shuffle::kThreads)
    softmax_warp_shuffle_kernel(const float* x, float* y, int rows, int cols) {
  using namespace softmax_shuffle;
  // Separate slots for the two reductions: the second one never overwrites slots that a slow warp
  // may still be reading from the first, so no extra barrier is needed between them.
  __shared__ float maxSlots[kWarps];
  __shared__ float sumSlots[kWarps];
  const int tid = threadIdx.x;
  if ((int)blockIdx.x >= rows) return;  // the launcher starts exactly `rows` blocks; the whole block leaves together
  const float* xr = x + (size_t)blockIdx.x * cols;
  float* yr = y + (size_t)blockIdx.x * cols;

  float m = -INFINITY;
  for (int j = tid; j < cols; j += kThreads) m = fmaxf(m, xr[j]);
  const float rowMax = block_max(m, maxSlots);

  float s = 0.0f;
  for (int j = tid; j < cols; j += kThreads) s += expf(xr[j] - rowMax);
  const float inv = 1.0f / block_sum(s, sumSlots);

  for (int j = tid; j < cols; j += kThreads) yr[j] = expf(xr[j] - rowMax) * inv;
}

inline cudaError_t softmax_warp_shuffle(const float* x, float* y, int rows, int cols, cudaStream_t stream = 0) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  softmax_warp_shuffle_kernel<<<rows, softmax_shuffle::kThreads, 0, stream>>>(x, y, rows, cols);
  return cudaGetLastError();
}

}  // namespace ladder
