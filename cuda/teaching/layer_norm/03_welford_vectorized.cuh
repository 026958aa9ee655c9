// LayerNorm ladder, step 3: Welford statistics in one pass, float4 loads and stores.
//
// Step 2 reads each row three times (mean, variance, write) one float at a time. This step changes two
// things:
//   1. One pass for the statistics. Each lane keeps the moments (n, mean, M2 = sum (x - mean)^2) of the
//      values it has seen and folds new values in with Welford/Chan's update, which stays accurate even
//      when |mean| >> std (unlike sum(x^2)/n - mean^2). Two disjoint sets a and b merge as
//          n = na + nb,  delta = mean_b - mean_a,  mean = mean_a + delta * nb / n,
//          M2 = M2_a + M2_b + delta^2 * na * nb / n
//      The same merge combines the 32 lanes' moments through a __shfl_xor_sync butterfly.
//      The row is now read twice (statistics, then write) instead of three times.
//   2. float4 (16-byte) accesses: each lane moves 4 consecutive floats per instruction, so a warp covers
//      512 contiguous bytes per load. Each float4 is first summarized as (4, its mean, its M2), which
//      costs one division per 4 elements instead of one per element.
//
// Assumption (checked on the host, the launcher returns cudaErrorInvalidValue otherwise): cols % 4 == 0
// and x, gamma, beta, y are 16-byte aligned, so every row starts on a 16-byte boundary.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>

namespace ladder {

namespace layer_norm_welford {
constexpr int kThreads = 256;
constexpr int kRowsPerBlock = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;

struct Moments {
  float n;     // how many values
  float mean;  // their mean
  float m2;    // sum of squared deviations from that mean
};

// moments of the union of two disjoint sets of values (Chan et al.)
__device__ __forceinline__ Moments combine(Moments a, Moments b) {
  const float n = a.n + b.n;
  if (n == 0.0f) return a;  // both empty (lanes with no columns when cols < 128)
  const float delta = b.mean - a.mean;
  const float wb = b.n / n;
  return {n, a.mean + delta * wb, a.m2 + b.m2 + delta * delta * a.n * wb};
}

// combine the 32 lanes' moments; every lane ends with the warp's moments
__device__ __forceinline__ Moments warp_combine(Moments m) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    const Moments other = {__shfl_xor_sync(kFullMask, m.n, offset), __shfl_xor_sync(kFullMask, m.mean, offset),
                           __shfl_xor_sync(kFullMask, m.m2, offset)};
    m = combine(m, other);
  }
  // combine(a, b) and combine(b, a) are equal in exact arithmetic but may round differently, so the
  // lanes can disagree in the last bit: use lane 0's result everywhere so the whole row uses one mean.
  return {__shfl_sync(kFullMask, m.n, 0), __shfl_sync(kFullMask, m.mean, 0), __shfl_sync(kFullMask, m.m2, 0)};
}
}  // namespace layer_norm_welford

// y[r][:] = (x[r][:] - mean_r) * rsqrt(M2_r / cols + eps) * gamma + beta; warp per row, Welford, float4
__global__ void __launch_bounds__(layer_norm_welford::kThreads)
    layer_norm_welford_vectorized_kernel(const float* __restrict__ x, const float* __restrict__ gamma,
                                         const float* __restrict__ beta, float* __restrict__ y, int rows, int cols,
                                         float eps) {
  using namespace layer_norm_welford;
  const int lane = threadIdx.x % 32;
  const int r = blockIdx.x * kRowsPerBlock + threadIdx.x / 32;
  if (r >= rows) return;  // the whole warp leaves together, so the shuffles below still see all 32 lanes
  const int cols4 = cols / 4;
  const float4* xr = reinterpret_cast<const float4*>(x + (size_t)r * cols);
  float4* yr = reinterpret_cast<float4*>(y + (size_t)r * cols);
  const float4* g4 = reinterpret_cast<const float4*>(gamma);
  const float4* b4 = reinterpret_cast<const float4*>(beta);

  // Pass 1: moments of this lane's float4s, then of the whole row.
  Moments acc = {0.0f, 0.0f, 0.0f};
  for (int j = lane; j < cols4; j += 32) {
    const float4 v = xr[j];
    const float mean4 = (v.x + v.y + v.z + v.w) * 0.25f;
    const float m2_4 = (v.x - mean4) * (v.x - mean4) + (v.y - mean4) * (v.y - mean4) + (v.z - mean4) * (v.z - mean4) +
                       (v.w - mean4) * (v.w - mean4);
    acc = combine(acc, {4.0f, mean4, m2_4});
  }
  acc = warp_combine(acc);
  const float mean = acc.mean;
  const float rstd = rsqrtf(acc.m2 / acc.n + eps);  // acc.n == cols; biased variance, as in PyTorch

  // Pass 2: normalize, scale, shift, 4 columns at a time.
  for (int j = lane; j < cols4; j += 32) {
    const float4 v = xr[j], g = g4[j], b = b4[j];
    yr[j] = make_float4((v.x - mean) * rstd * g.x + b.x, (v.y - mean) * rstd * g.y + b.y,
                        (v.z - mean) * rstd * g.z + b.z, (v.w - mean) * rstd * g.w + b.w);
  }
}

// The shapes and pointers this kernel accepts (see the assumption in the header comment).
inline bool layer_norm_welford_vectorized_supports(const float* x, const float* gamma, const float* beta,
                                                   const float* y, int rows, int cols) {
  const auto aligned16 = [](const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; };
  return rows > 0 && cols > 0 && cols % 4 == 0 && aligned16(x) && aligned16(gamma) && aligned16(beta) && aligned16(y);
}

inline cudaError_t layer_norm_welford_vectorized(const float* x, const float* gamma, const float* beta, float* y,
                                                 int rows, int cols, float eps = 1e-5f, cudaStream_t stream = 0) {
  using namespace layer_norm_welford;
  if (!layer_norm_welford_vectorized_supports(x, gamma, beta, y, rows, cols)) return cudaErrorInvalidValue;
  const int blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  layer_norm_welford_vectorized_kernel<<<blocks, kThreads, 0, stream>>>(x, gamma, beta, y, rows, cols, eps);
  return cudaGetLastError();
}

}  // namespace ladder
