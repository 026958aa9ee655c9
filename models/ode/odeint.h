// odeint: the solution of an initial value problem dy/dt = f(t, y), y(t_0) = y0, at given times
// (torchdiffeq's `odeint`, which homework 6 samples with), written to be read:
//
//   odeint(f, y0, times, options) -> (len(times), *y0.shape), row k = y(times[k]); row 0 = y0
//
// times is strictly increasing or strictly decreasing (integrating backwards, as the adjoint does).
// Fixed-step methods take one step per interval of `times` (homework 6: linspace(0, 1, num_steps) with Euler):
//   euler     y' = y + h f(t, y)                                                        order 1, 1 eval
//   midpoint  k1 = f(t, y); y' = y + h f(t + h/2, y + h/2 k1)                           order 2, 2 evals
//   rk4       k1 = f(t, y), k2 = f(t + h/2, y + h/2 k1), k3 = f(t + h/2, y + h/2 k2),
//             k4 = f(t + h, y + h k3); y' = y + h/6 (k1 + 2 k2 + 2 k3 + k4)              order 4, 4 evals
// (with options.step_size > 0 each interval is cut into ceil(|interval| / step_size) equal steps.)
// The adaptive method chooses its own steps and interpolates at `times`:
//   dopri5    Dormand-Prince 5(4) with step-size control from rtol and atol (dopri5.cpp)
//
// Gradients flow through the solver's arithmetic like any other autograd graph (backpropagation through the
// steps: memory grows with the number of steps); models/ode/adjoint.h gives the constant-memory alternative.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::models::ode {

// The right-hand side f(t, y) -> dy/dt, same shape as y.
using OdeFunction = std::function<Tensor(double t, const Tensor& y)>;

enum class OdeMethod { euler, midpoint, rk4, dopri5 };

// "euler", "midpoint", "rk4", "dopri5" (torchdiffeq's names); anything else is a dgm::Error listing them.
OdeMethod parse_ode_method(const std::string& name);
std::string ode_method_name(OdeMethod method);

struct OdeOptions {
  OdeMethod method = OdeMethod::euler;
  double step_size = 0;  // fixed-step methods: 0 = one step per interval of `times`
  double rtol = 1e-7;    // dopri5: the error tolerance per element is atol + rtol * max(|y|, |y'|)
  double atol = 1e-9;
  double first_step = 0;           // dopri5: 0 = chosen from f at t_0
  int64_t max_num_steps = 100000;  // dopri5: a dgm::Error past it (a stiff or exploding problem)
};

// What the solver did, for reports (NFE is the cost of a sample).
struct OdeStats {
  int64_t nfe = 0;             // evaluations of f
  int64_t accepted_steps = 0;  // steps taken (fixed-step: all of them)
  int64_t rejected_steps = 0;  // dopri5: steps retried with a smaller h
};

// (len(times), *y0.shape); stats, when given, is filled in (accumulated: set it to {} first).
Tensor odeint(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times, const OdeOptions& options = {},
              OdeStats* stats = nullptr);

// times = linspace(t0, t1, num) as doubles (num >= 2), the grid homework 6 samples on.
std::vector<double> linspace_times(double t0, double t1, int64_t num);

// One step of a fixed-step method from (t, y) to t + h; nfe counts the evaluations of f.
Tensor fixed_step(const OdeFunction& f, OdeMethod method, double t, double h, const Tensor& y, int64_t& nfe);

// The adaptive Dormand-Prince 5(4) solver (dopri5.cpp), with the checks of odeint done.
Tensor dopri5_solve(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times, const OdeOptions& options,
                    OdeStats& stats);

}  // namespace dgm::models::ode
