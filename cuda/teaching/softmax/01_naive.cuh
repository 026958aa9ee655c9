// Softmax ladder, step 1: one thread per row, three passes.
//
// y[r][j] = exp(x[r][j] - m_r) / sum_k exp(x[r][k] - m_r), with m_r = max_k x[r][k], for a row-major
// (rows, cols) float32 matrix. Subtracting the row maximum first keeps exp() from overflowing (every
// exponent is <= 0) without changing the result: the factor exp(-m_r) cancels.
//
// The obvious first kernel: each thread owns a whole row and walks it three times (max, sum of exps,
// write). It is slow for two reasons that the next steps fix:
//   - neighbouring threads of a warp work on rows `cols` floats apart, so every warp-wide load touches 32
//     different cache lines (uncoalesced), and the stores are just as scattered;
//   - there are only `rows` threads (16384 rows = 128 blocks of 128 threads), too few to keep an H100's
//     132 SMs busy and to hide memory latency.
#pragma once
#include <cuda_runtime.h>
#include <cmath>

namespace ladder {

constexpr int kSoftmaxNaiveThreads = 128;

// y[r][:] = exp(x[r][:] - max x[r][:]) / sum exp(x[r][:] - max x[r][:]); one thread per row r
__global__ void softmax_naive_kernel(const float* x, float* y, int rows, int cols) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;  // no __syncthreads in this kernel, so an early return is safe
  const float* xr = x + (size_t)r * cols;
  float* yr = y + (size_t)r * cols;

  float m = -INFINITY;
  for (int j = 0; j < cols; ++j) m = fmaxf(m, xr[j]);  // pass 1: the row maximum
  float s = 0.0f;
  for (int j = 0; j < cols; ++j) s += expf(xr[j] - m);  // pass 2: the normalizer
  const float inv = 1.0f / s;
  for (int j = 0; j < cols; ++j) yr[j] = expf(xr[j] - m) * inv;  // pass 3: write
}

inline cudaError_t softmax_naive(const float* x, float* y, int rows, int cols, cudaStream_t stream = 0) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  const int blocks = (rows + kSoftmaxNaiveThreads - 1) / kSoftmaxNaiveThreads;
  softmax_naive_kernel<<<blocks, kSoftmaxNaiveThreads, 0, stream>>>(x, y, rows, cols);
  return cudaGetLastError();
}

}  // namespace ladder
