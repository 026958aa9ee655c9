// Sums that vectorize: sum_k f(k) over k < n in kLanes independent double
// accumulators (a single accumulator would wait on each add), added up in a
// fixed order, so the result does not depend on the thread count. Used by the
// fused normalization kernels (layer_norm.cpp, group_norm.cpp).
#pragma once
#include <array>
#include <cstdint>

namespace dgm::cpu {

constexpr int64_t kLanes = 8;

template <typename F>
double lane_sum(int64_t n, F&& f) {
  std::array<double, kLanes> acc{};
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) acc[j] += f(k + j);
  for (; k < n; ++k) acc[0] += f(k);
  double total = 0;
  for (int64_t j = 0; j < kLanes; ++j) total += acc[j];
  return total;
}

}  // namespace dgm::cpu
