// A continuous normalizing flow (lecture 10; FFJORD, Grathwohl et al. 2019): points move along dx/dt = f(t, x),
// and by the instantaneous change of variables their log-density changes as
//   d log p(x(t)) / dt = -tr(df/dx)
// cnf_integrate solves the augmented ODE on the state [x, l] (B, D + 1) from t0 to t1,
//   x' = f(t, x),     l' = -tr(df/dx (t, x)),     l(t0) = 0,
// so that log p_{t1}(x(t1)) = log p_{t0}(x(t0)) + l(t1). With data at t0 = 0 and the base N(0, I) at t1 = 1:
//   log p(x) = log N(x(1); 0, I) - l(1).
// The trace is exact (D VJPs) or Hutchinson's e^T J e (one VJP) with one e per point drawn before the solve and
// kept fixed along it (FFJORD's choice: the augmented ODE stays an ODE); see divergence.h.
// Gradients: with adjoint = true through odeint_adjoint (constant memory; params must list what f reads),
// otherwise by backpropagation through the solver's steps.
#pragma once
#include <functional>
#include <vector>

#include "models/ode/adjoint.h"
#include "models/ode/divergence.h"
#include "models/ode/odeint.h"

namespace dgm::models::ode {

// f(t, x) for points x (B, D) -> (B, D), each row from its own row.
using PointField = std::function<Tensor(double t, const Tensor& x)>;

struct CnfSolver {
  OdeOptions ode;  // method, step_size / rtol, atol
  bool adjoint = true;
  TraceMode trace = TraceMode::exact;
  TraceNoise noise = TraceNoise::rademacher;
};

struct CnfResult {
  Tensor x;      // x(t1), (B, D)
  Tensor delta;  // l(t1) = -int_{t0}^{t1} tr(df/dx) dt, (B)
};

CnfResult cnf_integrate(const PointField& f, const Tensor& x, double t0, double t1, const std::vector<Tensor>& params,
                        const CnfSolver& solver, Generator* gen = nullptr,
                        std::shared_ptr<AdjointStats> stats = nullptr);

// log N(z; 0, I) = -|z|^2 / 2 - D/2 log(2 pi), (B)
Tensor standard_normal_log_prob(const Tensor& z);

}  // namespace dgm::models::ode
