// Softmax ladder, step 2: one block per row, shared-memory tree reduction.
//
// Same three passes as step 1 (max, sum of exps, write), but a whole block of 256 threads now shares one
// row: thread t handles elements t, t + 256, t + 512, ... so a warp reads 32 consecutive floats per
// load (coalesced), and there are `rows` blocks instead of rows / 128, enough to fill the GPU.
// The row is 4 KiB (1024 columns) to 16 KiB (4096 columns): after pass 1 it sits in L1/L2, so passes
// 2 and 3 mostly re-read it from cache and DRAM sees roughly one read and one write.
//
// The new ingredient is combining 256 per-thread partial results into one. The classic way is a tree
// in shared memory: 256 values -> 128 -> 64 -> ... -> 1, with a __syncthreads between levels so that a
// level only reads values the previous level has finished writing (8 levels, 8 barriers per reduction).
// Step 3 replaces most of that with warp shuffles.
#pragma once
#include <cuda_runtime.h>
#include <cmath>

namespace ladder {

constexpr int kSoftmaxBlockThreads = 256;
static_assert((kSoftmaxBlockThreads & (kSoftmaxBlockThreads - 1)) == 0, "the tree reduction halves a power of two");

// y[r][:] = exp(x[r][:] - max) / sum exp(x[r][:] - max); block r, partials combined by a shared-memory tree
__global__ void __launch_bounds__(kSoftmaxBlockThreads)
    softmax_block_reduce_kernel(const float* x, float* y, int rows, int cols) {
  __shared__ float red[kSoftmaxBlockThreads];
  const int tid = threadIdx.x;
  if ((int)blockIdx.x >= rows) return;  // the launcher starts exactly `rows` blocks; the whole block leaves together
  const float* xr = x + (size_t)blockIdx.x * cols;
  float* yr = y + (size_t)blockIdx.x * cols;

  // Pass 1: each thread's maximum, then the tree.
  float m = -INFINITY;  // the identity of max: threads without elements (cols < 256) contribute nothing
  for (int j = tid; j < cols; j += kSoftmaxBlockThreads) m = fmaxf(m, xr[j]);
  red[tid] = m;
  __syncthreads();
  for (int half = kSoftmaxBlockThreads / 2; half > 0; half /= 2) {
    if (tid < half) red[tid] = fmaxf(red[tid], red[tid + half]);
    __syncthreads();  // outside the if: every thread must reach every barrier
  }
  const float rowMax = red[0];
  __syncthreads();  // everyone has read red[0] before pass 2 overwrites red[]

  // Pass 2: each thread's sum of exps, then the same tree with + instead of max.
  float s = 0.0f;
  for (int j = tid; j < cols; j += kSoftmaxBlockThreads) s += expf(xr[j] - rowMax);
  red[tid] = s;
  __syncthreads();
  for (int half = kSoftmaxBlockThreads / 2; half > 0; half /= 2) {
    if (tid < half) red[tid] += red[tid + half];
    __syncthreads();
  }
  const float inv = 1.0f / red[0];  // red[] is not written again, so no barrier is needed after this read

  // Pass 3: write, coalesced like the reads.
  for (int j = tid; j < cols; j += kSoftmaxBlockThreads) yr[j] = expf(xr[j] - rowMax) * inv;
}

inline cudaError_t softmax_block_reduce(const float* x, float* y, int rows, int cols, cudaStream_t stream = 0) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  softmax_block_reduce_kernel<<<rows, kSoftmaxBlockThreads, 0, stream>>>(x, y, rows, cols);  // gridDim.x <= 2^31 - 1
  return cudaGetLastError();
}

}  // namespace ladder
