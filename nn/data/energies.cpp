#include "nn/data/energies.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/factories.h"

namespace dgm::nn::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

const std::vector<std::string>& names() {
  static const std::vector<std::string> n = {"u1", "u2", "u3", "u4", "ring"};
  return n;
}

std::string joined_names() {
  std::string s;
  for (const std::string& n : names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void check_name(const std::string& op, const std::string& name) {
  DGM_CHECK(std::find(names().begin(), names().end(), name) != names().end(), op, ": unknown energy '", name,
            "'; known: ", joined_names());
}

// log(exp(a) + exp(b)), computed stably.
Tensor logaddexp(const Tensor& a, const Tensor& b) { return logsumexp(stack({a, b}, 1), {1}); }

// -1/2 (t / s)^2, the log of an unnormalized Gaussian bump.
Tensor log_bump(const Tensor& t, double s) { return -0.5 * (t / s).square(); }

// exp(-U) <= bound everywhere (see the header).
double exp_minus_energy_bound(const std::string& name) { return name == "u2" || name == "ring" ? 1.0 : 2.0; }

}  // namespace

std::vector<std::string> energy_names() { return names(); }

namespace {

// U of Table 1 (or the ring), without the wall.
Tensor table_energy(const std::string& name, const Tensor& z) {
  const Tensor z1 = z.select(1, 0), z2 = z.select(1, 1);
  // w1 = sin(2 pi z1 / 4)
  const Tensor w1 = sin((2 * kPi / 4) * z1);
  if (name == "u1" || name == "ring") {
    // 1/2 ((|z| - 2) / 0.4)^2
    const Tensor radius = 0.5 * ((norm(z, 2, {1}) - 2.0) / 0.4).square();
    if (name == "ring") return radius;
    return radius - logaddexp(log_bump(z1 - 2.0, 0.6), log_bump(z1 + 2.0, 0.6));
  }
  if (name == "u2") return 0.5 * ((z2 - w1) / 0.4).square();
  if (name == "u3") {
    // w2 = 3 exp(-1/2 ((z1 - 1) / 0.6)^2)
    const Tensor w2 = 3.0 * exp(log_bump(z1 - 1.0, 0.6));
    return -logaddexp(log_bump(z2 - w1, 0.35), log_bump(z2 - w1 + w2, 0.35));
  }
  // u4: w3 = 3 sigma((z1 - 1) / 0.3)
  const Tensor w3 = 3.0 * sigmoid((z1 - 1.0) / 0.3);
  return -logaddexp(log_bump(z2 - w1, 0.4), log_bump(z2 - w1 + w3, 0.35));
}

}  // namespace

Tensor energy(const std::string& name, const Tensor& z) {
  check_name("energy", name);
  DGM_CHECK(z.dim() == 2 && z.size(1) == 2, "energy '", name, "': expected points of shape (n,2), got ",
            shape_str(z.shape()));
  DGM_CHECK(is_floating(z.dtype()), "energy '", name, "': expected floating point points, got ", dtype_name(z.dtype()));
  // the wall 1/2 sum_i (max(|z_i| - 4, 0) / 0.5)^2, zero inside the box
  const Tensor wall = 0.5 * (relu(z.abs() - kEnergyBox) / 0.5).square().sum({1});
  return table_energy(name, z) + wall;
}

double energy_log_normalizer(const std::string& name) {
  check_name("energy_log_normalizer", name);
  static std::mutex mutex;
  static std::map<std::string, double> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  NoGradGuard no_grad;
  constexpr int64_t kCells = 3200, kRowsPerChunk = 100;
  const double h = 2 * kEnergyDomain / kCells;
  // Cell centres -8 + (i + 1/2) h along each axis.
  const Tensor centres = arange(0, kCells, 1, kFloat64) * h + (-kEnergyDomain + h / 2);
  double total = 0;
  for (int64_t row = 0; row < kCells; row += kRowsPerChunk) {
    const Tensor ys = centres.narrow(0, row, kRowsPerChunk);
    const Tensor grid = stack({centres.unsqueeze(0).expand({kRowsPerChunk, kCells}).reshape({-1}),
                               ys.unsqueeze(1).expand({kRowsPerChunk, kCells}).reshape({-1})},
                              1);
    total += exp(-energy(name, grid)).sum().item();
  }
  const double log_z = std::log(total * h * h);
  cache[name] = log_z;
  return log_z;
}

Tensor sample_energy(const std::string& name, int64_t n, Generator* gen) {
  check_name("sample_energy", name);
  DGM_CHECK(n >= 0, "sample_energy '", name, "': n must be non-negative, got ", n);
  NoGradGuard no_grad;
  const double bound = exp_minus_energy_bound(name);
  std::vector<float> points;
  points.reserve(static_cast<size_t>(2 * n));
  while (static_cast<int64_t>(points.size()) < 2 * n) {
    constexpr int64_t kProposals = 16384;
    const Tensor z = rand({kProposals, 2}, kFloat64, gen) * (2 * kEnergyDomain) - kEnergyDomain;
    const Tensor u = rand({kProposals}, kFloat64, gen);
    const std::vector<double> density = exp(-energy(name, z)).to_vector<double>();
    const std::vector<double> zs = z.to_vector<double>(), us = u.to_vector<double>();
    for (int64_t i = 0; i < kProposals && static_cast<int64_t>(points.size()) < 2 * n; ++i) {
      DGM_CHECK(density[i] <= bound, "sample_energy '", name, "': exp(-U) = ", density[i], " exceeds the bound ", bound,
                " at (", zs[2 * i], ", ", zs[2 * i + 1], ")");
      if (us[i] * bound < density[i]) {
        points.push_back(static_cast<float>(zs[2 * i]));
        points.push_back(static_cast<float>(zs[2 * i + 1]));
      }
    }
  }
  return tensor(points, {n, 2}, kFloat32);
}

}  // namespace dgm::nn::data
