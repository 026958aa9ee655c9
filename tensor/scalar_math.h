// The math of each elementwise op on one number, shared by the CPU loops and
// (later) the CUDA kernels so both backends compute exactly the same thing.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#ifdef __CUDACC__
#define DGM_HD __host__ __device__
#else
#define DGM_HD
#endif

namespace dgm::scalar {

template <typename T>
DGM_HD T sigmoid(T x) {
  // Stable on both tails: never exp of a large positive number.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

// softplus(x) = log(1 + exp(beta x)) / beta, and x itself once beta x > threshold (PyTorch).
template <typename T>
DGM_HD T softplus(T x, T beta, T threshold) {
  T bx = beta * x;
  if (bx > threshold) return x;
  // log1p(exp(bx)) written to avoid overflow: max(bx,0) + log1p(exp(-|bx|))
  return (std::fmax(bx, T(0)) + std::log1p(std::exp(-std::fabs(bx)))) / beta;
}

// elu(x) = x if x > 0 else alpha (exp(x) - 1); NaN stays NaN.
template <typename T>
DGM_HD T elu(T x, T alpha) {
  return x > T(0) || x != x ? x : alpha * std::expm1(x);
}

template <typename T>
DGM_HD T sign(T x) {
  return T((T(0) < x) - (x < T(0)));
}

// Round half to even, as torch.round and numpy.round do.
template <typename T>
DGM_HD T round_half_even(T x) {
  return std::nearbyint(x);
}

template <typename T>
DGM_HD T power(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || !b;  // 0^0 = 1, 0^1 = 0, 1^b = 1
  } else if constexpr (std::is_integral_v<T>) {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b % 2) ? -1 : 1) : 0);
    T r = 1;
    while (b > 0) {
      if (b & 1) r *= a;
      a *= a;
      b >>= 1;
    }
    return r;
  } else {
    return std::pow(a, b);
  }
}

}  // namespace dgm::scalar
