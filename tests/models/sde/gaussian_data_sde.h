// A one-dimensional Gaussian data set N(m, s^2) pushed through the VE and VP SDEs, written here from the formulas of
// Song et al. (2021) independently of models/sde: each marginal p_t is Gaussian, N(c(t) m, v(t)) with
// v(t) = c(t)^2 s^2 + std(t)^2, so its score -(x - c(t) m) / v(t) is exact. The SDE is linear, dx = a(t) x dt + g dw
// (a = 0 for VE, -beta(t)/2 for VP), so the Euler-Maruyama and Euler schemes keep Gaussians Gaussian and their
// moments follow by hand:
//   reverse SDE, EM step h < 0:  x' = x + h (A x + b) + g sqrt(|h|) z,  A = a + g^2 / v, b = -g^2 c m / v
//                                mean' = mean + h (A mean + b), var' = (1 + h A)^2 var + g^2 |h|
//   probability-flow ODE: u = (x - c(t) m) / sqrt(v(t)) is constant along a solution (d/dt log sqrt(v) = a + g^2/(2v)),
//                                the exact flow map x(t') = c(t') m + (x - c(t) m) sqrt(v(t') / v(t)).
#pragma once
#include <cmath>
#include <string>
#include <utility>

namespace dgm::test {

struct GaussianDataSde {
  std::string kind;  // "ve" or "vp"
  double p0, p1;     // (sigma_min, sigma_max) or (beta_min, beta_max)
  double m, s;       // the data N(m, s^2)

  double c(double t) const { return kind == "ve" ? 1.0 : std::exp(-0.5 * (p0 * t + 0.5 * t * t * (p1 - p0))); }
  double std2(double t) const {
    if (kind == "ve") return p0 * p0 * (std::pow(p1 / p0, 2 * t) - 1);
    return 1 - std::exp(-(p0 * t + 0.5 * t * t * (p1 - p0)));
  }
  double a(double t) const { return kind == "ve" ? 0.0 : -0.5 * (p0 + t * (p1 - p0)); }
  double g2(double t) const {
    if (kind == "ve") return p0 * p0 * std::pow(p1 / p0, 2 * t) * 2 * std::log(p1 / p0);
    return p0 + t * (p1 - p0);
  }
  double v(double t) const { return c(t) * c(t) * s * s + std2(t); }
  double mean(double t) const { return c(t) * m; }

  // Mean and variance after n equal EM steps of the reverse SDE from time 1 to t_end, starting from (mean0, var0).
  std::pair<double, double> reverse_em_moments(double mean0, double var0, int64_t n, double t_end) const {
    double mu = mean0, var = var0;
    for (int64_t k = 0; k < n; ++k) {
      const double t = 1 - (1 - t_end) * static_cast<double>(k) / static_cast<double>(n);
      const double h = -(1 - t_end) / static_cast<double>(n);
      const double A = a(t) + g2(t) / v(t), b = -g2(t) * c(t) * m / v(t);
      mu = mu + h * (A * mu + b);
      var = (1 + h * A) * (1 + h * A) * var + g2(t) * std::abs(h);
    }
    return {mu, var};
  }
  // The probability-flow ODE's exact map from time t to t'.
  double flow(double x, double t, double t2) const { return mean(t2) + (x - mean(t)) * std::sqrt(v(t2) / v(t)); }
};

}  // namespace dgm::test
