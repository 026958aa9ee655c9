// The cost matrices of make_assignment_reference.py, rebuilt bit for bit in C++: the xorshift64* generator's integer
// arithmetic is the same in both languages, and 53-bit uniforms are exact doubles. kind "uniform": costs U[0, 1);
// "integer": costs in {0, ..., 99} (ties); "points": squared Euclidean distances between B points and B points
// uniform in [0, 1)^dim (summed in the same order as NumPy's sum over the last axis for dim <= 8; for larger dim
// the rounding may differ in the last bits, far below the tolerance of the tests).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dgm::test {

class Xorshift64Star {
 public:
  explicit Xorshift64Star(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t next_u64() {
    uint64_t x = state_;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state_ = x;
    return x * 0x2545F4914F6CDD1DULL;
  }
  double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }  // / 2^53

 private:
  uint64_t state_;
};

// Row-major (b, b).
inline std::vector<double> assignment_costs(const std::string& kind, int64_t b, int64_t dim, uint64_t seed) {
  Xorshift64Star g(seed);
  std::vector<double> m(b * b);
  if (kind == "uniform") {
    for (auto& c : m) c = g.uniform();
  } else if (kind == "integer") {
    for (auto& c : m) c = static_cast<double>(g.next_u64() % 100);
  } else {
    std::vector<double> x(b * dim), y(b * dim);
    for (auto& v : x) v = g.uniform();
    for (auto& v : y) v = g.uniform();
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < b; ++j) {
        double s = 0;
        for (int64_t k = 0; k < dim; ++k) s += (x[i * dim + k] - y[j * dim + k]) * (x[i * dim + k] - y[j * dim + k]);
        m[i * b + j] = s;
      }
  }
  return m;
}

}  // namespace dgm::test
