#include "models/sde/euler_maruyama.h"

#include <cmath>

#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"

namespace dgm::models::sde {

namespace {

void check_inputs(const Tensor& y0, const std::vector<double>& times, const SdeOptions& options) {
  DGM_CHECK(y0.defined(), "sdeint_euler_maruyama: y0 is undefined");
  DGM_CHECK(y0.dtype() == kFloat32 || y0.dtype() == kFloat64, "sdeint_euler_maruyama: y0 must be floating point (got ",
            dtype_name(y0.dtype()), ")");
  DGM_CHECK(times.size() >= 2, "sdeint_euler_maruyama: times needs at least 2 points (got ", times.size(), ")");
  const double direction = times[1] > times[0] ? 1.0 : -1.0;
  for (size_t k = 0; k + 1 < times.size(); ++k) {
    DGM_CHECK(std::isfinite(times[k]) && std::isfinite(times[k + 1]), "sdeint_euler_maruyama: times must be finite");
    DGM_CHECK((times[k + 1] - times[k]) * direction > 0,
              "sdeint_euler_maruyama: times must be strictly increasing or strictly decreasing (times[", k,
              "] = ", times[k], ", times[", k + 1, "] = ", times[k + 1], ")");
  }
  DGM_CHECK(options.step_size >= 0 && std::isfinite(options.step_size),
            "sdeint_euler_maruyama: step_size must be >= 0 (got ", options.step_size, ")");
}

// The steps of one interval [t0, t1]: 1, or ceil(|t1 - t0| / step_size).
int64_t steps_in(double t0, double t1, const SdeOptions& options) {
  if (options.step_size == 0) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::abs(t1 - t0) / options.step_size - 1e-12)));
}

// y(t1) from y(t0) in steps_in(t0, t1) equal steps.
Tensor integrate_interval(const SdeFunction& drift, const SdeFunction& diffusion, double t0, double t1, Tensor y,
                          Generator* gen, const SdeOptions& options, SdeStats& stats) {
  const int64_t n = steps_in(t0, t1, options);
  const double h = (t1 - t0) / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = t0 + h * static_cast<double>(i);
    y = euler_maruyama_step(drift, diffusion, t, h, y, gen);
    stats.nfe += 1;
    stats.steps += 1;
  }
  return y;
}

}  // namespace

Tensor euler_maruyama_step(const SdeFunction& drift, const SdeFunction& diffusion, double t, double h, const Tensor& y,
                           Generator* gen) {
  const Tensor f = drift(t, y);
  DGM_CHECK(f.defined() && f.shape() == y.shape(), "sdeint_euler_maruyama: the drift f(t, y) must have y's shape ",
            shape_str(y.shape()), ", got ", f.defined() ? shape_str(f.shape()) : "none", " at t = ", t);
  const Tensor g = diffusion(t, y);
  DGM_CHECK(g.defined() && (g.shape() == y.shape() || g.numel() == 1),
            "sdeint_euler_maruyama: the diffusion g(t, y) must have y's shape ", shape_str(y.shape()),
            " or one element, got ", g.defined() ? shape_str(g.shape()) : "none", " at t = ", t);
  const Tensor eps = randn(y.shape(), TensorOptions().dtype(y.dtype()).device(y.device()), gen);
  const Tensor g_full = g.shape() == y.shape() ? g : g.reshape({}).to(y.dtype());
  // y' = y + f h + g sqrt(|h|) eps
  return y + h * f + std::sqrt(std::abs(h)) * (g_full * eps);
}

Tensor sdeint_euler_maruyama(const SdeFunction& drift, const SdeFunction& diffusion, const Tensor& y0,
                             const std::vector<double>& times, Generator* gen, const SdeOptions& options,
                             SdeStats* stats) {
  check_inputs(y0, times, options);
  SdeStats local;
  SdeStats& s = stats ? *stats : local;
  std::vector<Tensor> path{y0};
  Tensor y = y0;
  for (size_t k = 0; k + 1 < times.size(); ++k) {
    y = integrate_interval(drift, diffusion, times[k], times[k + 1], y, gen, options, s);
    path.push_back(y);
  }
  return stack(path, 0);
}

Tensor sdeint_euler_maruyama_end(const SdeFunction& drift, const SdeFunction& diffusion, const Tensor& y0,
                                 const std::vector<double>& times, Generator* gen, const SdeOptions& options,
                                 SdeStats* stats) {
  check_inputs(y0, times, options);
  SdeStats local;
  SdeStats& s = stats ? *stats : local;
  Tensor y = y0;
  for (size_t k = 0; k + 1 < times.size(); ++k)
    y = integrate_interval(drift, diffusion, times[k], times[k + 1], y, gen, options, s);
  return y;
}

}  // namespace dgm::models::sde
