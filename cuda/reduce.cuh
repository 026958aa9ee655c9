// Small pieces shared by the reduction (reduce.cu) and scan (scan.cu) kernels:
// the accumulator type and the warp shuffles.
//
// A warp is 32 threads that run in lock step; __shfl_down_sync(mask, v, d)
// hands each lane the v of lane (lane + d), without going through memory. A
// sum over the warp is then 5 steps: lane i adds lane i+16, i+8, ..., i+1,
// and lane 0 holds the total (a tree, log2(32) = 5 levels).
#pragma once
#include <cstdint>
#include <type_traits>

namespace dgm::cuda {

// float32 sums and products accumulate in float64, as on the CPU
// (tensor/cpu/reduce.cpp, scan.cpp): a float32 accumulator loses about
// log2(n) bits over n additions, float64 keeps the float32 result exact
// for any length we can hold in memory. float64 arithmetic is cheap next to
// the memory traffic of a reduction, so this costs no time on an H100.
template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kWarp = 32;

// The shuffles for the accumulator types (int64_t goes as long long).
__device__ inline double shfl_down(double v, int d) { return __shfl_down_sync(kFullMask, v, d); }
__device__ inline float shfl_down(float v, int d) { return __shfl_down_sync(kFullMask, v, d); }
__device__ inline int64_t shfl_down(int64_t v, int d) {
  return static_cast<int64_t>(__shfl_down_sync(kFullMask, static_cast<long long>(v), d));
}
__device__ inline double shfl_up(double v, int d) { return __shfl_up_sync(kFullMask, v, d); }
__device__ inline int64_t shfl_up(int64_t v, int d) {
  return static_cast<int64_t>(__shfl_up_sync(kFullMask, static_cast<long long>(v), d));
}
__device__ inline double shfl(double v, int lane) { return __shfl_sync(kFullMask, v, lane); }
__device__ inline int64_t shfl(int64_t v, int lane) {
  return static_cast<int64_t>(__shfl_sync(kFullMask, static_cast<long long>(v), lane));
}

}  // namespace dgm::cuda
