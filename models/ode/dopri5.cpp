// Dormand-Prince 5(4) (see odeint.h): an explicit Runge-Kutta pair with 7 stages, the last of which is f at the
// accepted point and so the first stage of the next step (FSAL: 6 evaluations per step). The 5th-order solution is
// propagated (local extrapolation); the difference to the embedded 4th-order one estimates the local error.
//
// Step-size control (Hairer, Norsett & Wanner, Solving ODEs I, section II.4):
//   err  = RMS over the elements of (y5 - y4) / (atol + rtol max(|y|, |y5|))        accept when err <= 1
//   h'   = h * clamp(0.9 err^(-1/5), 0.2, 10)        (after a rejection the factor is at most 1)
// First step: Hairer's rule (same section, "starting step size") from f at t_0 and one more evaluation.
// Output times: the step is shortened to land exactly on each requested time (no dense-output interpolation), so
// every row of the result is a true solver state.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/ode/odeint.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::ode {
namespace {

// The Butcher tableau of Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae", J. Comp. Appl. Math.
// 6(1), Table 2; also Hairer, Norsett & Wanner, Solving ODEs I, Table 5.2 (section II.5).
constexpr std::array<double, 7> kC = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
constexpr double kA[7][6] = {
    {0, 0, 0, 0, 0, 0},
    {1.0 / 5, 0, 0, 0, 0, 0},
    {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
    {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},  // = b5 (FSAL)
};
// 5th-order weights (row 7 of A) and 4th-order embedded weights.
constexpr std::array<double, 7> kB5 = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
constexpr std::array<double, 7> kB4 = {5179.0 / 57600, 0,       7571.0 / 16695, 393.0 / 640, -92097.0 / 339200,
                                       187.0 / 2100,   1.0 / 40};

constexpr double kSafety = 0.9;
constexpr double kMinFactor = 0.2;
constexpr double kMaxFactor = 10.0;

// y + h sum_j w_j k_j over the nonzero weights
Tensor combine(const Tensor& y, double h, const double* weights, const std::vector<Tensor>& k) {
  Tensor out = y;
  for (size_t j = 0; j < k.size(); ++j)
    if (weights[j] != 0) out = out + (h * weights[j]) * k[j];
  return out;
}

// RMS of x / scale as a double (no graph: step-size decisions are not differentiated)
double rms_scaled(const Tensor& x, const Tensor& scale) {
  NoGradGuard no_grad;
  return std::sqrt(mean(square(x.detach() / scale)).item());
}

// atol + rtol max(|a|, |b|)
Tensor error_scale(const Tensor& a, const Tensor& b, const OdeOptions& o) {
  NoGradGuard no_grad;
  return o.atol + o.rtol * maximum(abs(a.detach()), abs(b.detach()));
}

Tensor checked_f(const OdeFunction& f, double t, const Tensor& y, int64_t& nfe) {
  nfe += 1;
  Tensor dy = f(t, y);
  DGM_CHECK(dy.defined() && dy.shape() == y.shape(), "odeint(dopri5): f returned shape ",
            dy.defined() ? shape_str(dy.shape()) : std::string("(undefined)"), " for y of shape ",
            shape_str(y.shape()));
  return dy;
}

// Hairer's starting step (Solving ODEs I, II.4): h0 = 0.01 |y0| / |f0|, one Euler step, then
// h1 = (0.01 / max(|f0|, |f1 - f0| / h0))^(1/5); h = min(100 h0, h1).
double initial_step(const OdeFunction& f, double t0, const Tensor& y0, const Tensor& f0, double direction,
                    const OdeOptions& o, int64_t& nfe) {
  NoGradGuard no_grad;
  const Tensor scale = error_scale(y0, y0, o);
  const double d0 = rms_scaled(y0, scale);
  const double d1 = rms_scaled(f0, scale);
  const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  const Tensor y1 = y0.detach() + (direction * h0) * f0.detach();
  const Tensor f1 = checked_f(f, t0 + direction * h0, y1, nfe);
  const double d2 = rms_scaled(f1 - f0.detach(), scale) / h0;
  const double dmax = std::max(d1, d2);
  const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / 5);
  return std::min(100 * h0, h1);
}

}  // namespace

Tensor dopri5_solve(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times, const OdeOptions& options,
                    OdeStats& stats) {
  DGM_CHECK(options.rtol >= 0 && options.atol >= 0 && options.rtol + options.atol > 0 && std::isfinite(options.rtol) &&
                std::isfinite(options.atol),
            "odeint(dopri5): rtol and atol must be >= 0, finite and not both 0 (rtol = ", options.rtol,
            ", atol = ", options.atol, ")");
  DGM_CHECK(options.first_step >= 0 && std::isfinite(options.first_step),
            "odeint(dopri5): first_step must be >= 0 (got ", options.first_step, ")");
  DGM_CHECK(options.max_num_steps > 0, "odeint(dopri5): max_num_steps must be positive (got ", options.max_num_steps,
            ")");
  const double direction = times[1] > times[0] ? 1.0 : -1.0;

  double t = times[0];
  Tensor y = y0;
  Tensor k1 = checked_f(f, t, y, stats.nfe);
  double h =
      options.first_step > 0 ? options.first_step : initial_step(f, t, y, k1, direction, options, stats.nfe);  // |h|
  std::vector<Tensor> states{y0};
  int64_t steps = 0;
  for (size_t target_index = 1; target_index < times.size(); ++target_index) {
    const double target = times[target_index];
    while ((target - t) * direction > 0) {
      DGM_CHECK(steps < options.max_num_steps, "odeint(dopri5): max_num_steps = ", options.max_num_steps,
                " reached at t = ", t, " (h = ", h, "; a stiff or exploding problem, or tolerances too tight)");
      DGM_CHECK(h > 1e-14 * std::max(1.0, std::abs(t)), "odeint(dopri5): step size underflow at t = ", t, " (h = ", h,
                ")");
      ++steps;
      // shorten the step to land exactly on the output time
      const bool lands = h >= std::abs(target - t);
      const double step = lands ? target - t : direction * h;
      std::vector<Tensor> k{k1};
      for (int s = 1; s < 7; ++s) k.push_back(checked_f(f, t + kC[s] * step, combine(y, step, kA[s], k), stats.nfe));
      // y5 = y + h sum b5_j k_j (the 7th stage was evaluated at exactly this point)
      const Tensor y_new = combine(y, step, kB5.data(), k);
      // err = h sum (b5_j - b4_j) k_j, measured in units of the tolerance
      double err;
      {
        NoGradGuard no_grad;
        std::array<double, 7> e{};
        for (int j = 0; j < 7; ++j) e[j] = kB5[j] - kB4[j];
        std::vector<Tensor> kd;
        for (const Tensor& kj : k) kd.push_back(kj.detach());
        const Tensor local_error = combine(zeros_like(y.detach()), step, e.data(), kd);
        err = rms_scaled(local_error, error_scale(y, y_new, options));
      }
      DGM_CHECK(std::isfinite(err), "odeint(dopri5): non-finite error estimate at t = ", t, " (h = ", step,
                "; f returned inf or nan)");
      const double factor =
          err == 0 ? kMaxFactor : std::clamp(kSafety * std::pow(err, -1.0 / 5), kMinFactor, kMaxFactor);
      if (err <= 1) {
        t = lands ? target : t + step;
        y = y_new;
        k1 = k[6];  // FSAL: f(t + h, y5)
        stats.accepted_steps += 1;
        // a step shortened to land on an output time says little about the next one: keep the proposal
        h = lands ? std::max(h, std::abs(step) * factor) : std::abs(step) * factor;
      } else {
        stats.rejected_steps += 1;
        h = std::abs(step) * std::min(1.0, factor);
      }
    }
    states.push_back(y);
  }
  return stack(states, 0);
}

}  // namespace dgm::models::ode
