#include "nn/data/flower_gmm.h"

#include <algorithm>
#include <cmath>

#include "tensor/factories.h"

namespace dgm::nn::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

// log N(x; m, S) for a 2x2 S = [[a, b], [b, d]]:
//   -log(2 pi) - 1/2 log det S - 1/2 (d dx^2 - 2 b dx dy + a dy^2) / det S
double log_normal_2d(double x, double y, const MixtureComponent2d& c) {
  const double a = c.covariance[0], b = c.covariance[1], d = c.covariance[3];
  const double det = a * d - b * b, dx = x - c.mean[0], dy = y - c.mean[1];
  return -std::log(2 * kPi) - 0.5 * std::log(det) - 0.5 * (d * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
}

}  // namespace

std::vector<MixtureComponent2d> flower_gmm_components() {
  const double w = 1.0 / kFlowerComponents;
  std::vector<MixtureComponent2d> out = {{w, {0, 0}, {kFlowerMinorVar, 0, 0, kFlowerMinorVar}}};
  for (int k = 0; k < kFlowerComponents - 1; ++k) {
    const double a = 2 * kPi * k / (kFlowerComponents - 1), c = std::cos(a), s = std::sin(a);
    // Sigma = MAJOR u u^T + MINOR v v^T, u = (c, s), v = (-s, c)
    const double sxx = kFlowerMajorVar * c * c + kFlowerMinorVar * s * s;
    const double sxy = (kFlowerMajorVar - kFlowerMinorVar) * c * s;
    const double syy = kFlowerMajorVar * s * s + kFlowerMinorVar * c * c;
    out.push_back({w, {kFlowerCentersScale * c, kFlowerCentersScale * s}, {sxx, sxy, sxy, syy}});
  }
  return out;
}

ToySet flower_gmm(int64_t n, Generator* gen) {
  DGM_CHECK(n >= 0, "flower_gmm: n must be non-negative, got ", n);
  if (n == 0) return {zeros({0, 2}), zeros({0}, kInt64)};
  const std::vector<MixtureComponent2d> comps = flower_gmm_components();
  std::vector<double> weights;
  for (const auto& c : comps) weights.push_back(c.weight);
  const std::vector<int64_t> label = multinomial(tensor(weights), n, true, gen).to_vector<int64_t>();
  const std::vector<double> eps = randn({n, 2}, kFloat64, gen).to_vector<double>();
  std::vector<double> x(static_cast<size_t>(2 * n));
  for (int64_t i = 0; i < n; ++i) {
    const MixtureComponent2d& c = comps[static_cast<size_t>(label[i])];
    // L = lower Cholesky factor of Sigma: L00 = sqrt(a), L10 = b / L00, L11 = sqrt(d - L10^2)
    const double l00 = std::sqrt(c.covariance[0]), l10 = c.covariance[2] / l00;
    const double l11 = std::sqrt(c.covariance[3] - l10 * l10);
    const double e0 = eps[2 * i], e1 = eps[2 * i + 1];
    x[2 * i] = c.mean[0] + l00 * e0;
    x[2 * i + 1] = c.mean[1] + l10 * e0 + l11 * e1;
  }
  return {tensor(x, {n, 2}, kFloat32), tensor(label, {n}, kInt64)};
}

Tensor flower_gmm_log_prob(const Tensor& x) {
  DGM_CHECK(x.dim() == 2 && x.size(1) == 2, "flower_gmm_log_prob: expected points (n,2), got ", shape_str(x.shape()));
  const std::vector<double> v = x.to(Device()).to(kFloat64).contiguous().to_vector<double>();
  const std::vector<MixtureComponent2d> comps = flower_gmm_components();
  const int64_t n = x.size(0);
  std::vector<double> out(static_cast<size_t>(n));
  std::vector<double> terms(comps.size());
  for (int64_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < comps.size(); ++k)
      terms[k] = std::log(comps[k].weight) + log_normal_2d(v[2 * i], v[2 * i + 1], comps[k]);
    const double m = *std::max_element(terms.begin(), terms.end());
    double s = 0;
    for (double t : terms) s += std::exp(t - m);
    out[static_cast<size_t>(i)] = m + std::log(s);
  }
  return tensor(out, {n}, kFloat64);
}

}  // namespace dgm::nn::data
