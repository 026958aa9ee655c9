// Sample moments of a column of draws in float64, and the standard errors that size the statistical tolerances of the
// SDE tests: for N independent draws of a Gaussian with variance v, the sample mean has standard error sqrt(v / N)
// and the (unbiased) sample variance sqrt(2 / (N - 1)) v. A tolerance of 5 standard errors fails a correct
// implementation with probability about 6e-7 per check.
#pragma once
#include <cmath>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::test {

struct SampleMoments {
  double mean = 0;
  double var = 0;  // unbiased
  double n = 0;
};

// Moments of column `col` of x (N, D) (or of all of x when D = 1).
inline SampleMoments column_moments(const Tensor& x, int64_t col = 0) {
  const std::vector<double> v = x.dim() == 2 ? x.select(1, col).to_vector<double>() : x.to_vector<double>();
  SampleMoments m;
  m.n = static_cast<double>(v.size());
  for (double a : v) m.mean += a;
  m.mean /= m.n;
  for (double a : v) m.var += (a - m.mean) * (a - m.mean);
  m.var /= m.n - 1;
  return m;
}

// Standard error of the sample mean and of the sample variance of N draws of a Gaussian of variance v.
inline double mean_standard_error(double v, double n) { return std::sqrt(v / n); }
inline double var_standard_error(double v, double n) { return std::sqrt(2.0 / (n - 1)) * v; }

}  // namespace dgm::test
