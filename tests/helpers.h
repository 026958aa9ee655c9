// Shared test helpers: element-wise comparison with independent reference
// values, and a gradcheck assertion that prints the worst element.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include "dgm.h"

namespace dgm::test {

// Every element of t equals `expected` within atol + rtol*|expected|.
inline void check_values(const Tensor& t, const std::vector<double>& expected, double atol = 1e-5, double rtol = 1e-5) {
  std::vector<double> got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", expected " << expected[i]);
    if (std::isnan(expected[i]))
      CHECK(std::isnan(got[i]));
    else
      CHECK(std::fabs(got[i] - expected[i]) <= atol + rtol * std::fabs(expected[i]));
  }
}

// Deterministic float64 values in [lo, hi) without the library's RNG.
inline Tensor uniform_values(const Shape& shape, double lo = -1, double hi = 1, uint64_t seed = 1) {
  std::vector<double> v(numel_of(shape));
  uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (double& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x = lo + (hi - lo) * static_cast<double>(s >> 11) / 9007199254740992.0;
  }
  return tensor(v, {static_cast<int64_t>(v.size())}).reshape(shape);
}

// log|det A| of a row-major n x n matrix by Gaussian elimination with partial pivoting, written here
// independently of dgm's linalg (the flows' log-det tests compare against it); -inf for a singular A.
inline double log_abs_det(std::vector<double> a, int64_t n) {
  double log_det = 0;
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = k;
    for (int64_t i = k + 1; i < n; ++i)
      if (std::fabs(a[i * n + k]) > std::fabs(a[p * n + k])) p = i;
    if (a[p * n + k] == 0) return -INFINITY;
    if (p != k)
      for (int64_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
    log_det += std::log(std::fabs(a[k * n + k]));
    for (int64_t i = k + 1; i < n; ++i) {
      const double f = a[i * n + k] / a[k * n + k];
      for (int64_t j = k; j < n; ++j) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return log_det;
}

inline Tensor leaf(const Shape& shape, double lo = -1, double hi = 1, uint64_t seed = 1) {
  return uniform_values(shape, lo, hi, seed).requires_grad_();
}

// The gradient of the scalar f(x) at x0 (a fresh leaf copy of x0).
inline Tensor grad_of(const Tensor& x0, const std::function<Tensor(const Tensor&)>& f) {
  Tensor x = x0.detach().clone().requires_grad_();
  f(x).backward();
  return x.grad();
}

// A weighted sum with fixed weights in [0.5, 1.5): a scalar whose gradient
// checks every element of y with a different weight (unlike y.sum()).
inline Tensor wsum(const Tensor& y) { return (y * uniform_values(y.shape(), 0.5, 1.5, 77).to(y.device())).sum(); }

#define REQUIRE_GRADCHECK(f, inputs)       \
  do {                                     \
    auto r_ = ::dgm::gradcheck(f, inputs); \
    INFO(r_.message);                      \
    REQUIRE(r_.ok);                        \
  } while (0)

#define REQUIRE_GRADGRADCHECK(f, inputs)       \
  do {                                         \
    auto r_ = ::dgm::gradgradcheck(f, inputs); \
    INFO(r_.message);                          \
    REQUIRE(r_.ok);                            \
  } while (0)

}  // namespace dgm::test
