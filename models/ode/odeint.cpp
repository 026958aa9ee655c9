#include "models/ode/odeint.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"

namespace dgm::models::ode {

OdeMethod parse_ode_method(const std::string& name) {
  if (name == "euler") return OdeMethod::euler;
  if (name == "midpoint") return OdeMethod::midpoint;
  if (name == "rk4") return OdeMethod::rk4;
  if (name == "dopri5") return OdeMethod::dopri5;
  throw Error("odeint: unknown method '" + name + "' (euler, midpoint, rk4, dopri5)");
}

std::string ode_method_name(OdeMethod method) {
  switch (method) {
    case OdeMethod::euler:
      return "euler";
    case OdeMethod::midpoint:
      return "midpoint";
    case OdeMethod::rk4:
      return "rk4";
    case OdeMethod::dopri5:
      return "dopri5";
  }
  return "?";
}

std::vector<double> linspace_times(double t0, double t1, int64_t num) {
  DGM_CHECK(num >= 2, "linspace_times: num must be at least 2 (got ", num, ")");
  std::vector<double> times(num);
  for (int64_t k = 0; k < num; ++k) times[k] = t0 + (t1 - t0) * static_cast<double>(k) / static_cast<double>(num - 1);
  times[num - 1] = t1;  // exactly, whatever the rounding
  return times;
}

Tensor fixed_step(const OdeFunction& user_f, OdeMethod method, double t, double h, const Tensor& y, int64_t& nfe) {
  // every evaluation counted and its shape checked (a wrong shape would otherwise broadcast or fail far away)
  auto f = [&](double s, const Tensor& x) {
    Tensor dx = user_f(s, x);
    DGM_CHECK(dx.defined() && dx.shape() == x.shape(), "odeint(", ode_method_name(method), "): f returned shape ",
              dx.defined() ? shape_str(dx.shape()) : std::string("(undefined)"), " for y of shape ",
              shape_str(x.shape()));
    return dx;
  };
  switch (method) {
    // y' = y + h f(t, y)
    case OdeMethod::euler: {
      nfe += 1;
      return y + h * f(t, y);
    }
    // y' = y + h f(t + h/2, y + h/2 f(t, y))
    case OdeMethod::midpoint: {
      nfe += 2;
      Tensor k1 = f(t, y);
      return y + h * f(t + h / 2, y + (h / 2) * k1);
    }
    // y' = y + h/6 (k1 + 2 k2 + 2 k3 + k4)
    case OdeMethod::rk4: {
      nfe += 4;
      Tensor k1 = f(t, y);
      Tensor k2 = f(t + h / 2, y + (h / 2) * k1);
      Tensor k3 = f(t + h / 2, y + (h / 2) * k2);
      Tensor k4 = f(t + h, y + h * k3);
      return y + (h / 6) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
    }
    case OdeMethod::dopri5:
      break;
  }
  throw Error("odeint: fixed_step: " + ode_method_name(method) + " is not a fixed-step method");
}

Tensor odeint(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times, const OdeOptions& options,
              OdeStats* stats) {
  DGM_CHECK(y0.defined(), "odeint: y0 is undefined");
  DGM_CHECK(times.size() >= 2, "odeint: times needs at least 2 points (got ", times.size(), ")");
  DGM_CHECK(y0.dtype() == kFloat32 || y0.dtype() == kFloat64, "odeint: y0 must be floating point (got ",
            dtype_name(y0.dtype()), ")");
  const double direction = times[1] > times[0] ? 1.0 : -1.0;
  for (size_t k = 0; k + 1 < times.size(); ++k) {
    DGM_CHECK(std::isfinite(times[k]) && std::isfinite(times[k + 1]), "odeint: times must be finite");
    DGM_CHECK((times[k + 1] - times[k]) * direction > 0, "odeint: times must be strictly increasing or strictly ",
              "decreasing (times[", k, "] = ", times[k], ", times[", k + 1, "] = ", times[k + 1], ")");
  }
  DGM_CHECK(options.step_size >= 0 && std::isfinite(options.step_size), "odeint: step_size must be >= 0 (got ",
            options.step_size, ")");
  OdeStats local;
  OdeStats& s = stats ? *stats : local;
  if (options.method == OdeMethod::dopri5) return dopri5_solve(f, y0, times, options, s);

  std::vector<Tensor> states{y0};
  Tensor y = y0;
  for (size_t k = 0; k + 1 < times.size(); ++k) {
    const double interval = times[k + 1] - times[k];
    int64_t substeps = 1;
    if (options.step_size > 0) {
      const double count = std::ceil(std::abs(interval) / options.step_size - 1e-9);
      DGM_CHECK(count <= static_cast<double>(options.max_num_steps), "odeint: step_size ", options.step_size,
                " cuts the interval [", times[k], ", ", times[k + 1],
                "] into more than max_num_steps = ", options.max_num_steps, " steps");
      substeps = std::max<int64_t>(1, static_cast<int64_t>(count));
    }
    const double h = interval / static_cast<double>(substeps);
    for (int64_t i = 0; i < substeps; ++i) {
      const double t = i + 1 == substeps ? times[k + 1] - h : times[k] + h * static_cast<double>(i);
      y = fixed_step(f, options.method, t, h, y, s.nfe);
      s.accepted_steps += 1;
    }
    states.push_back(y);
  }
  return stack(states, 0);
}

}  // namespace dgm::models::ode
