#include "models/ode/divergence.h"

#include "autograd/engine.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::ode {
namespace {

void check_pair(const char* op, const Tensor& dx, const Tensor& x) {
  DGM_CHECK(x.defined() && dx.defined() && x.dim() == 2 && dx.shape() == x.shape(), op,
            ": expected dx and x of the same shape (B, D), got ",
            dx.defined() ? shape_str(dx.shape()) : std::string("undefined"), " and ",
            x.defined() ? shape_str(x.shape()) : std::string("undefined"));
  DGM_CHECK(x.requires_grad(), op, ": x must require grad (dx computed from it with grad mode on)");
}

// v^T (d dx / d x) per row, (B, D)
Tensor vjp(const Tensor& dx, const Tensor& x, const Tensor& v, bool create_graph) {
  if (!dx.requires_grad()) return zeros_like(x);  // dx does not depend on x (nor on anything else)
  Tensor g = autograd::grad({dx}, {x}, {v}, /*retain_graph=*/true, create_graph, /*allow_unused=*/true)[0];
  return g.defined() ? g : zeros_like(x);
}

}  // namespace

TraceMode parse_trace_mode(const std::string& name) {
  if (name == "exact") return TraceMode::exact;
  if (name == "hutchinson") return TraceMode::hutchinson;
  throw Error("trace_mode: unknown '" + name + "' (exact, hutchinson)");
}
std::string trace_mode_name(TraceMode mode) { return mode == TraceMode::exact ? "exact" : "hutchinson"; }
TraceNoise parse_trace_noise(const std::string& name) {
  if (name == "rademacher") return TraceNoise::rademacher;
  if (name == "gaussian") return TraceNoise::gaussian;
  throw Error("trace_noise: unknown '" + name + "' (rademacher, gaussian)");
}
std::string trace_noise_name(TraceNoise noise) { return noise == TraceNoise::rademacher ? "rademacher" : "gaussian"; }

// row i of J = e_i^T J, one VJP each
Tensor batch_jacobian(const Tensor& dx, const Tensor& x, bool create_graph) {
  check_pair("batch_jacobian", dx, x);
  const int64_t D = x.size(1);
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < D; ++i) {
    Tensor e = zeros_like(x);
    e.narrow(1, i, 1).fill_(1.0);
    rows.push_back(vjp(dx, x, e, create_graph));
  }
  return stack(rows, 1);
}

// tr J = sum_i (e_i^T J)_i
Tensor exact_trace(const Tensor& dx, const Tensor& x, bool create_graph) {
  check_pair("exact_trace", dx, x);
  const int64_t D = x.size(1);
  Tensor trace;
  for (int64_t i = 0; i < D; ++i) {
    Tensor e = zeros_like(x);
    e.narrow(1, i, 1).fill_(1.0);
    Tensor diag = vjp(dx, x, e, create_graph).select(1, i);
    trace = trace.defined() ? trace + diag : diag;
  }
  return trace;
}

// e^T J e = (e^T J) . e
Tensor hutchinson_trace(const Tensor& dx, const Tensor& x, const Tensor& e, bool create_graph) {
  check_pair("hutchinson_trace", dx, x);
  DGM_CHECK(e.defined() && e.shape() == x.shape(), "hutchinson_trace: noise e of shape ",
            e.defined() ? shape_str(e.shape()) : std::string("undefined"), " for x of shape ", shape_str(x.shape()));
  return (vjp(dx, x, e, create_graph) * e).sum({1});
}

Tensor trace_noise(const Tensor& like, TraceNoise noise, Generator* gen) {
  const TensorOptions options = TensorOptions(like.dtype()).device(like.device());
  Tensor n = randn(like.shape(), options, gen);
  if (noise == TraceNoise::gaussian) return n;
  // the sign of a standard normal is +-1 with probability 1/2 each
  return where(ge(n, zeros_like(n)), 1.0, full_like(n, -1.0));
}

// Var(e^T J e) = Var(e^T S e): Rademacher sum_{i<j} (2 S_ij)^2, Gaussian 2 ||S||_F^2
Tensor hutchinson_variance(const Tensor& J, TraceNoise noise) {
  DGM_CHECK(J.defined() && J.dim() == 3 && J.size(1) == J.size(2),
            "hutchinson_variance: expected J of shape (B, D, D), got ",
            J.defined() ? shape_str(J.shape()) : std::string("undefined"));
  const Tensor S = 0.5 * (J + J.transpose(1, 2));
  const Tensor frobenius = S.square().sum({1, 2});
  if (noise == TraceNoise::gaussian) return 2.0 * frobenius;
  // sum_{i<j} 4 S_ij^2 = 2 (||S||_F^2 - sum_i S_ii^2)
  const Tensor diagonal = (S * eye(J.size(1), TensorOptions(J.dtype()).device(J.device()))).square().sum({1, 2});
  return 2.0 * (frobenius - diagonal);
}

}  // namespace dgm::models::ode
