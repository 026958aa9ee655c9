// The per-element formulas of the element-wise samplers (tensor/random.cpp),
// shared by the CPU loop and the CUDA kernel (cuda/random.cu), so that both
// devices compute element i of a draw from (seed, offset + i) with the very
// same operations and get the same bits:
//
//   out[i] = sampler.operator()<T>(seed, offset, i)      T = the output's C++ type
//
// Every product that meets an addition is an explicit fma (rounded once on
// both devices; see tensor/portable_math.h for why compilers must not choose).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "tensor/philox.h"
#include "tensor/portable_math.h"

namespace dgm::random_math {

// The float or double next to x in the direction of y.
template <typename T>
DGM_HD inline T next_toward(T x, T y) {
  if constexpr (sizeof(T) == 4)
    return ::nextafterf(x, y);
  else
    return ::nextafter(x, y);
}

// Uniform on [0, 1): 24 random bits for float, 53 for double.
struct Rand {
  template <typename T>
  DGM_HD T operator()(uint64_t seed, uint64_t offset, uint64_t i) const {
    return philox::uniform<T>(seed, offset, i);
  }
};

// from + (to - from) u, kept below `to` when rounding reaches it.
struct Uniform {
  double from, to;
  template <typename T>
  DGM_HD T operator()(uint64_t seed, uint64_t offset, uint64_t i) const {
    const double u = static_cast<double>(philox::uniform<T>(seed, offset, i));
    T v = static_cast<T>(portable::fma(to - from, u, from));
    if constexpr (std::is_floating_point_v<T>) {
      // Rounding may reach `to` (e.g. in float32); keep the interval half-open.
      if (v >= static_cast<T>(to) && from < to) v = next_toward(static_cast<T>(to), static_cast<T>(from));
    }
    return v;
  }
};

// mean + stddev z with z standard normal (Box-Muller, one Philox block per number).
struct Normal {
  double mean, stddev;
  template <typename T>
  DGM_HD T operator()(uint64_t seed, uint64_t offset, uint64_t i) const {
    return static_cast<T>(portable::fma(stddev, philox::normal(seed, offset, i), mean));
  }
};

// low + (64 random bits mod range): integers uniform on [low, low + range).
struct Randint {
  int64_t low;
  uint64_t range;  // high - low > 0
  template <typename T>
  DGM_HD T operator()(uint64_t seed, uint64_t offset, uint64_t i) const {
    return static_cast<T>(static_cast<int64_t>(static_cast<uint64_t>(low) + philox::below(range, seed, offset, i)));
  }
};

// 1 with probability p (u < p with a 53-bit u), else 0.
template <typename T>
DGM_HD inline T bernoulli_at(double p, uint64_t seed, uint64_t offset, uint64_t i) {
  return static_cast<T>(philox::bernoulli(p, seed, offset, i) ? 1 : 0);
}

struct Bernoulli {
  double p;
  template <typename T>
  DGM_HD T operator()(uint64_t seed, uint64_t offset, uint64_t i) const {
    return bernoulli_at<T>(p, seed, offset, i);
  }
};

}  // namespace dgm::random_math
