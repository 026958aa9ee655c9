// odeint_adjoint: odeint whose gradients come from the adjoint method (Chen et al. 2018, "Neural Ordinary
// Differential Equations", section 2; torchdiffeq's `odeint_adjoint`), in memory constant in the number of steps.
//
// Forward: ys = odeint(f, y0, times) without a graph (only the len(times) states are kept).
// Backward, for each interval [t_{k-1}, t_k] from the last one down, integrate backwards in time the augmented state
//   y' = f(t, y),    a' = -a^T df/dy,    g' = -a^T df/dtheta          (a = dL/dy(t), g = dL/dtheta so far)
// from (y(t_k), a(t_k), g) to t_{k-1}, restarting y at the stored forward state and adding dL/dy(t_{k-1}) to a.
// At t_0: a = dL/dy0 and g = dL/dtheta. Each evaluation of the augmented field is one f evaluation plus one
// vector-Jacobian product (dgm::autograd::grad with grad_outputs = a), whose graph is dropped at once.
//
// f reads its parameters through its closure (a module's forward); pass them as `params` so that the gradient
// reaches them. The backward integration uses the same OdeOptions (method, step_size or rtol/atol); its solution
// of y backwards is not exactly the forward path, so the gradient differs from backprop through the solver's
// steps by the solver's error (vanishing as the grid is refined). Not twice differentiable (no create_graph).
#pragma once
#include <memory>
#include <vector>

#include "models/ode/odeint.h"

namespace dgm::models::ode {

struct AdjointStats {
  OdeStats forward;
  OdeStats backward;  // filled in when backward runs: NFE counts augmented-field evaluations (one f + one VJP each)
};

// (len(times), *y0.shape) like odeint; differentiable w.r.t. y0 and every tensor of params that requires grad.
// stats, when given, is filled in as the forward and (later) the backward run.
Tensor odeint_adjoint(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times,
                      const std::vector<Tensor>& params, const OdeOptions& options = {},
                      std::shared_ptr<AdjointStats> stats = nullptr);

}  // namespace dgm::models::ode
