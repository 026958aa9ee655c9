#include "models/ode/adjoint.h"

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::ode {
namespace {

// The augmented state [y, a, g_1, ..., g_m] flattened into one vector (odeint integrates one tensor).
struct AugmentedLayout {
  Shape y_shape;
  int64_t y_numel = 0;
  std::vector<Shape> param_shapes;
  std::vector<int64_t> param_numels;

  Tensor pack(const Tensor& y, const Tensor& a, const std::vector<Tensor>& g) const {
    std::vector<Tensor> parts{y.reshape({-1}), a.reshape({-1})};
    for (const Tensor& gi : g) parts.push_back(gi.reshape({-1}));
    return cat(parts, 0);
  }
  Tensor y_of(const Tensor& s) const { return s.narrow(0, 0, y_numel).reshape(y_shape); }
  Tensor a_of(const Tensor& s) const { return s.narrow(0, y_numel, y_numel).reshape(y_shape); }
  std::vector<Tensor> g_of(const Tensor& s) const {
    std::vector<Tensor> g;
    int64_t offset = 2 * y_numel;
    for (size_t i = 0; i < param_shapes.size(); ++i) {
      g.push_back(s.narrow(0, offset, param_numels[i]).reshape(param_shapes[i]));
      offset += param_numels[i];
    }
    return g;
  }
};

// (y, a, g)' = (f, -a^T df/dy, -a^T df/dtheta), one f evaluation and one VJP, no graph kept
Tensor augmented_field(const OdeFunction& f, const std::vector<Tensor>& params, const AugmentedLayout& layout, double t,
                       const Tensor& state) {
  const Tensor a = layout.a_of(state);
  Tensor y = layout.y_of(state).detach();
  y.requires_grad_(true);
  Tensor dy;
  std::vector<Tensor> vjps;
  {
    AutoGradMode grad_on(true);
    dy = f(t, y);
    DGM_CHECK(dy.defined() && dy.shape() == y.shape(), "odeint_adjoint: f returned shape ",
              dy.defined() ? shape_str(dy.shape()) : std::string("(undefined)"), " for y of shape ",
              shape_str(y.shape()));
    std::vector<Tensor> inputs{y};
    for (const Tensor& p : params) inputs.push_back(p);
    if (dy.requires_grad())
      vjps = autograd::grad({dy}, inputs, {a.to(dy.dtype())}, /*retain_graph=*/false, /*create_graph=*/false,
                            /*allow_unused=*/true);
    else
      vjps.assign(inputs.size(), Tensor());
  }
  const DType dtype = state.dtype();
  const Tensor da = vjps[0].defined() ? -vjps[0].to(dtype) : zeros_like(a);
  std::vector<Tensor> dg;
  for (size_t i = 0; i < params.size(); ++i)
    dg.push_back(vjps[i + 1].defined() ? -vjps[i + 1].detach().to(dtype) : zeros(layout.param_shapes[i], dtype));
  return layout.pack(dy.detach().to(dtype), da.detach(), dg);
}

}  // namespace

Tensor odeint_adjoint(const OdeFunction& f, const Tensor& y0, const std::vector<double>& times,
                      const std::vector<Tensor>& params, const OdeOptions& options,
                      std::shared_ptr<AdjointStats> stats) {
  DGM_CHECK(y0.defined(), "odeint_adjoint: y0 is undefined");
  for (size_t i = 0; i < params.size(); ++i)
    DGM_CHECK(params[i].defined() && params[i].is_floating_point(), "odeint_adjoint: params[", i,
              "] must be a defined floating-point tensor");
  if (!stats) stats = std::make_shared<AdjointStats>();
  Tensor ys;
  {
    NoGradGuard no_grad;
    ys = odeint(f, y0.detach(), times, options, &stats->forward);
  }
  std::vector<Tensor> inputs{y0};
  for (const Tensor& p : params) inputs.push_back(p);
  if (!GradMode::is_enabled() || !autograd::any_requires_grad(inputs)) return ys;

  AugmentedLayout layout;
  layout.y_shape = y0.shape();
  layout.y_numel = y0.numel();
  for (const Tensor& p : params) {
    layout.param_shapes.push_back(p.shape());
    layout.param_numels.push_back(p.numel());
  }
  // the backward keeps a detached copy of the states (no cycle through the output's own node)
  auto backward = [f, params, layout, times, options, stats, saved = ys.detach()](const Tensor& grad_output,
                                                                                  const autograd::NeedsGrad&) {
    // grad mode is on in a backward only under create_graph: this backward is not itself differentiable
    DGM_CHECK(!GradMode::is_enabled(), "odeint_adjoint: second derivatives (create_graph) are not supported; use ",
              "odeint (backpropagation through the solver's steps) for them");
    NoGradGuard no_grad;
    const int64_t last = static_cast<int64_t>(times.size()) - 1;
    const DType dtype = saved.dtype();
    Tensor a = grad_output.select(0, last).to(dtype);
    std::vector<Tensor> g;
    for (const Shape& shape : layout.param_shapes) g.push_back(zeros(shape, dtype));
    auto field = [&](double t, const Tensor& state) { return augmented_field(f, params, layout, t, state); };
    for (int64_t k = last; k >= 1; --k) {
      // from t_k back to t_{k-1}, starting y at the forward state
      const Tensor start = layout.pack(saved.select(0, k), a, g);
      const Tensor end = odeint(field, start, {times[k], times[k - 1]}, options, &stats->backward).select(0, 1);
      a = layout.a_of(end) + grad_output.select(0, k - 1).to(dtype);
      g = layout.g_of(end);
    }
    std::vector<Tensor> grads{a};
    for (size_t i = 0; i < params.size(); ++i) grads.push_back(g[i].to(params[i].dtype()).contiguous());
    return grads;
  };
  Tensor out = autograd::record("odeint_adjoint", ys, inputs, backward, autograd::Saves::Output);
  // the backward evaluates f at the parameters' values: an in-place change before it runs is an error
  for (const Tensor& p : params) autograd::also_reads(out, "parameter", p);
  return out;
}

}  // namespace dgm::models::ode
