// CUDA fused softmax over one dim of a contiguous tensor seen as (outer, n, inner).
//
// inner == 1 (the last dim, e.g. attention scores): one block per row, three
// passes over the row (max, sum of exponentials, output), each combined over
// the block with warp shuffles and shared memory: step 03 of the teaching
// ladder (cuda/teaching/softmax/).
// inner > 1 (e.g. classes in dim 1 of (B, C, H, W) logits): one thread per
// (o, i) column, looping over the n elements with a running max m and a
// running sum s of exp(x - m) ("online softmax": when m grows to m', s becomes
// s * exp(m - m') + exp(x - m')); neighbouring threads read neighbouring
// addresses, so the loads coalesce.
#include <cmath>

#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// (m, s) of two partial rows merged: the max, and both sums rescaled to it.
template <typename T>
__device__ void merge(T& m, T& s, T m2, T s2) {
  T mm = m > m2 ? m : m2;
  if (mm == -INFINITY) return;  // both empty (or all -inf)
  s = s * exp(m - mm) + s2 * exp(m2 - mm);
  m = mm;
}

// The value of op over every thread of the block (op: max or +, identity its
// neutral element): a warp-shuffle tree in each warp, then the warps' results
// through shared memory. Every thread gets the result.
template <typename T, typename Op>
__device__ T block_reduce(T v, Op op, T identity) {
  __shared__ T partial[32];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_down_sync(0xffffffffu, v, offset));
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < warps ? partial[lane] : identity;
    for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_down_sync(0xffffffffu, v, offset));
    if (lane == 0) partial[0] = v;
  }
  __syncthreads();
  const T result = partial[0];
  __syncthreads();  // partial is reused by the next call
  return result;
}

// One block per row: m = max (pass 1), s = sum exp(x - m) (pass 2), write
// (pass 3). The row is read three times, but from the cache after the first.
template <typename T>
__global__ void softmax_lastdim_kernel(const T* x, T* y, int64_t n, bool log) {
  const T* xr = x + blockIdx.x * n;
  T* yr = y + blockIdx.x * n;
  T m = -INFINITY;
  for (int64_t k = threadIdx.x; k < n; k += blockDim.x) m = fmax(m, xr[k]);
  m = block_reduce(
      m, [](T a, T b) { return fmax(a, b); }, T(-INFINITY));
  T s = 0;
  for (int64_t k = threadIdx.x; k < n; k += blockDim.x) s += exp(xr[k] - m);
  s = block_reduce(
      s, [](T a, T b) { return a + b; }, T(0));
  if (log) {
    const T lse = m + std::log(s);
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) yr[k] = xr[k] - lse;
  } else {
    const T inv = T(1) / s;
    for (int64_t k = threadIdx.x; k < n; k += blockDim.x) yr[k] = exp(xr[k] - m) * inv;
  }
}

template <typename T>
__global__ void softmax_column_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < outer * inner;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, i = c % inner;
    const T* xr = x + o * n * inner + i;
    T* yr = y + o * n * inner + i;
    T m = -INFINITY, s = 0;
    for (int64_t k = 0; k < n; ++k) merge(m, s, xr[k * inner], T(1));
    if (log) {
      const T lse = m + std::log(s);
      for (int64_t k = 0; k < n; ++k) yr[k * inner] = xr[k * inner] - lse;
    } else {
      for (int64_t k = 0; k < n; ++k) yr[k * inner] = exp(xr[k * inner] - m) / s;
    }
  }
}

template <typename T>
void softmax_typed(const Tensor& x, const Tensor& y, int64_t outer, int64_t n, int64_t inner, bool log) {
  const T* px = static_cast<const T*>(x.raw_data());
  T* py = static_cast<T*>(y.raw_data());
  if (inner == 1) {
    DGM_CHECK(outer <= 2147483647, "softmax: too many rows (", outer, ") for one launch");
    const int threads = n >= 1024 ? 512 : n >= 256 ? 256 : n > 64 ? 128 : 32;
    softmax_lastdim_kernel<T><<<static_cast<unsigned>(outer), threads, 0, stream()>>>(px, py, n, log);
  } else {
    softmax_column_kernel<T><<<grid_for(outer * inner), kBlock, 0, stream()>>>(px, py, outer, n, inner, log);
  }
  check_launch("softmax");
}

}  // namespace

// y = exp(x - max) / sum exp(x - max) per row (log: x - max - log sum)
void softmax(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log) {
  dispatch_floating(x.dtype(), "softmax", [&]<typename T>() { softmax_typed<T>(x, y, outer, n, inner, log); });
}

}  // namespace dgm::cuda
