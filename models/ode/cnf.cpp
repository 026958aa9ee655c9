#include "models/ode/cnf.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::ode {

Tensor standard_normal_log_prob(const Tensor& z) {
  constexpr double kLog2Pi = 1.8378770664093454836;
  return -0.5 * z.square().sum({1}) - 0.5 * static_cast<double>(z.size(1)) * kLog2Pi;
}

CnfResult cnf_integrate(const PointField& f, const Tensor& x, double t0, double t1, const std::vector<Tensor>& params,
                        const CnfSolver& solver, Generator* gen, std::shared_ptr<AdjointStats> stats) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) >= 1 && x.is_floating_point(),
            "cnf_integrate: expected floating-point points of shape (B, D), got ",
            x.defined() ? shape_str(x.shape()) + " " + dtype_name(x.dtype()) : std::string("an undefined tensor"));
  const int64_t D = x.size(1);
  const Tensor e = solver.trace == TraceMode::hutchinson ? trace_noise(x, solver.noise, gen) : Tensor();
  // [x, l]' = [f(t, x), -tr(df/dx)]
  OdeFunction field = [f, e, D, mode = solver.trace](double t, const Tensor& state) {
    const bool keep_graph = GradMode::is_enabled();  // the caller differentiates through this evaluation
    AutoGradMode grad_on(true);                      // the trace needs df/dx even when the caller does not
    Tensor xt = state.narrow(1, 0, D);
    if (!xt.requires_grad()) {
      xt = xt.detach();
      xt.requires_grad_(true);
    }
    const Tensor dx = f(t, xt);
    DGM_CHECK(dx.defined() && dx.shape() == xt.shape(), "cnf_integrate: f returned shape ",
              dx.defined() ? shape_str(dx.shape()) : std::string("(undefined)"), " for points of shape ",
              shape_str(xt.shape()));
    const Tensor trace =
        mode == TraceMode::exact ? exact_trace(dx, xt, keep_graph) : hutchinson_trace(dx, xt, e, keep_graph);
    Tensor out = cat({dx, -trace.unsqueeze(1)}, 1);
    return keep_graph ? out : out.detach();
  };
  const Tensor start = cat({x, zeros({x.size(0), 1}, TensorOptions(x.dtype()).device(x.device()))}, 1);
  Tensor end;
  if (solver.adjoint) {
    end = odeint_adjoint(field, start, {t0, t1}, params, solver.ode, stats).select(0, 1);
  } else {
    OdeStats local;
    end = odeint(field, start, {t0, t1}, solver.ode, stats ? &stats->forward : &local).select(0, 1);
  }
  return {end.narrow(1, 0, D), end.select(1, D)};
}

}  // namespace dgm::models::ode
