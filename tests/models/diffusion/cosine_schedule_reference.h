// An independent reference for the tests: abar_t of the course's cosine schedule (s = 0.008, beta capped at 0.999),
// t = 0..T-1, written out in double from the notebook's formula (not from models/diffusion).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace dgm::test {

inline std::vector<double> abar_reference(int T) {
  auto f = [T](double t) { return std::pow(std::cos(((t / T + 0.008) / 1.008) * M_PI / 2), 2); };
  std::vector<double> abar;
  double prod = 1;
  for (int t = 1; t <= T; ++t) {
    prod *= 1 - std::min(1 - f(t) / f(t - 1), 0.999);
    abar.push_back(prod);
  }
  return abar;
}

}  // namespace dgm::test
