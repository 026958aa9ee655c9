// LayerNorm ladder, step 1: one thread per row, three passes.
//
// For each row r of a row-major (rows, cols) float32 matrix, over the last dimension (PyTorch's
// nn.LayerNorm(cols), biased variance, eps = 1e-5 by default):
//     mean_r = (1/cols) sum_j x[r][j]
//     var_r  = (1/cols) sum_j (x[r][j] - mean_r)^2
//     y[r][j] = (x[r][j] - mean_r) / sqrt(var_r + eps) * gamma[j] + beta[j]
// The variance is computed in a second pass around the mean (two-pass), which is numerically safe;
// the shortcut E[x^2] - E[x]^2 loses all precision when |mean| >> std.
//
// Slow for the same reasons as the naive softmax: neighbouring threads walk rows `cols` floats apart
// (uncoalesced), and one thread per row is too little parallelism to fill the GPU.
#pragma once
#include <cuda_runtime.h>

namespace ladder {

constexpr int kLayerNormNaiveThreads = 128;

// y[r][:] = (x[r][:] - mean_r) * rsqrt(var_r + eps) * gamma + beta; one thread per row r
__global__ void layer_norm_naive_kernel(const float* x, const float* gamma, const float* beta, float* y, int rows,
                                        int cols, float eps) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;  // no __syncthreads in this kernel, so an early return is safe
  const float* xr = x + (size_t)r * cols;
  float* yr = y + (size_t)r * cols;

  float sum = 0.0f;
  for (int j = 0; j < cols; ++j) sum += xr[j];  // pass 1: mean
  const float mean = sum / cols;
  float sq = 0.0f;
  for (int j = 0; j < cols; ++j) sq += (xr[j] - mean) * (xr[j] - mean);  // pass 2: variance
  const float rstd = rsqrtf(sq / cols + eps);
  for (int j = 0; j < cols; ++j) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];  // pass 3: write
}

inline cudaError_t layer_norm_naive(const float* x, const float* gamma, const float* beta, float* y, int rows, int cols,
                                    float eps = 1e-5f, cudaStream_t stream = 0) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  const int blocks = (rows + kLayerNormNaiveThreads - 1) / kLayerNormNaiveThreads;
  layer_norm_naive_kernel<<<blocks, kLayerNormNaiveThreads, 0, stream>>>(x, gamma, beta, y, rows, cols, eps);
  return cudaGetLastError();
}

}  // namespace ladder
