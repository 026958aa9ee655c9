// LayerNorm ladder, step 2: one warp per row, mean and variance by warp shuffles.
//
// Same math and same three passes as step 1 (mean, variance around the mean, write), but each row
// belongs to a warp: lane l handles columns l, l + 32, l + 64, ..., so every load and store of the warp
// covers 32 consecutive floats (coalesced), and 32x more threads are in flight. The 32 per-lane partial
// sums are combined with a __shfl_xor_sync butterfly that leaves the total in every lane; no shared
// memory and no __syncthreads at all, because a row never leaves its warp.
// A block of 256 threads holds 8 warps = 8 rows. Passes 2 and 3 re-read the row, mostly from L1/L2.
#pragma once
#include <cuda_runtime.h>

namespace ladder {

namespace layer_norm_warp {
constexpr int kThreads = 256;
constexpr int kRowsPerBlock = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;

// sum over the 32 lanes of a warp, returned in every lane
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(kFullMask, v, offset);
  return v;
}
}  // namespace layer_norm_warp

// y[r][:] = (x[r][:] - mean_r) * rsqrt(var_r + eps) * gamma + beta; one warp per row, sums by shuffles
__global__ void __launch_bounds__(layer_norm_warp::kThreads)
    layer_norm_warp_shuffle_kernel(const float* x, const float* gamma, const float* beta, float* y, int rows, int cols,
                                   float eps) {
  using namespace layer_norm_warp;
  const int lane = threadIdx.x % 32;
  const int r = blockIdx.x * kRowsPerBlock + threadIdx.x / 32;
  if (r >= rows) return;  // the whole warp leaves together, so the shuffles below still see all 32 lanes
  const float* xr = x + (size_t)r * cols;
  float* yr = y + (size_t)r * cols;

  float sum = 0.0f;
  for (int j = lane; j < cols; j += 32) sum += xr[j];
  const float mean = warp_sum(sum) / cols;

  float sq = 0.0f;
  for (int j = lane; j < cols; j += 32) sq += (xr[j] - mean) * (xr[j] - mean);
  const float rstd = rsqrtf(warp_sum(sq) / cols + eps);

  for (int j = lane; j < cols; j += 32) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
}

inline cudaError_t layer_norm_warp_shuffle(const float* x, const float* gamma, const float* beta, float* y, int rows,
                                           int cols, float eps = 1e-5f, cudaStream_t stream = 0) {
  using namespace layer_norm_warp;
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  const int blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  layer_norm_warp_shuffle_kernel<<<blocks, kThreads, 0, stream>>>(x, gamma, beta, y, rows, cols, eps);
  return cudaGetLastError();
}

}  // namespace ladder
