#include "models/flows/planar_flow.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/linalg.h"
#include "autograd/ops/reduction.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

namespace {

void check_points(const std::string& op, const Tensor& x, int64_t dim) {
  DGM_CHECK(x.dim() == 2 && x.size(1) == dim, op, ": expected points of shape (B,", dim, "), got ",
            shape_str(x.shape()));
  DGM_CHECK(is_floating(x.dtype()), op, ": expected floating point points, got ", dtype_name(x.dtype()));
}

}  // namespace

PlanarTransform::PlanarTransform(int64_t dim, Generator* gen, double log_det_eps)
    : dim_(dim), log_det_eps_(log_det_eps) {
  DGM_CHECK(dim >= 1, "PlanarTransform: dim must be positive, got ", dim);
  DGM_CHECK(log_det_eps >= 0, "PlanarTransform: log_det_eps must be non-negative, got ", log_det_eps);
  w = register_parameter("w", nn::init::normal_(empty({dim}), 0, 0.1, gen));
  u = register_parameter("u", nn::init::normal_(empty({dim}), 0, 0.1, gen));
  b = register_parameter("b", nn::init::normal_(empty({1}), 0, 0.1, gen));
}

std::string PlanarTransform::extra_repr() const {
  std::string s = "dim=" + std::to_string(dim_);
  if (log_det_eps_ > 0) s += ", log_det_eps=" + std::to_string(log_det_eps_);
  return s;
}

// u_hat = u + (m(w^T u) - w^T u) w / |w|^2, m(a) = softplus(a) - 1, so w^T u_hat = m(w^T u) > -1
Tensor PlanarTransform::u_hat() const {
  const Tensor wu = (w * u).sum();
  return u + (softplus(wu) - 1.0 - wu) * w / (w * w).sum();
}

std::vector<double> PlanarTransform::solve_along_w(const std::vector<double>& c, double wu, double bias) const {
  std::vector<double> roots(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    // F(a) = a + wu tanh(a + b) - c is increasing, F(c - |wu|) <= 0 <= F(c + |wu|).
    double lo = c[i] - std::fabs(wu), hi = c[i] + std::fabs(wu), a = c[i];
    for (int iter = 0; iter < 200; ++iter) {
      const double t = std::tanh(a + bias);
      const double f = a + wu * t - c[i], df = 1 + wu * (1 - t * t);
      if (f == 0) break;
      (f < 0 ? lo : hi) = a;
      double next = df > 0 ? a - f / df : 0.5 * (lo + hi);
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);  // a Newton step out of the bracket: bisect
      const double step = std::fabs(next - a);
      a = next;
      if (step <= 1e-12 * (1 + std::fabs(a)) || hi - lo <= 1e-15 * (1 + std::fabs(a))) break;
    }
    roots[i] = a;
  }
  return roots;
}

FlowOutput PlanarTransform::forward(const Tensor& x, bool invert) {
  check_points(invert ? "PlanarTransform.inverse" : "PlanarTransform.forward", x, dim_);
  const Tensor uh = u_hat();
  const Tensor wu = (w * uh).sum();
  // log|det| = log(eps + |1 + h'(w^T x + b) w^T u_hat|), h' = 1 - tanh^2 (eps = 0: exact)
  auto log_abs_det = [&](const Tensor& tanh_at) {
    Tensor det = abs(1.0 + (1.0 - tanh_at.square()) * wu);
    return log(log_det_eps_ > 0 ? det + log_det_eps_ : det);
  };
  if (!invert) {
    const Tensor t = tanh(matmul(x, w) + b);
    return {x + t.unsqueeze(1) * uh, log_abs_det(t)};
  }
  // a = w^T x solves a + wu tanh(a + b) = w^T y; one recorded Newton step from the root carries the gradient.
  const Tensor c = matmul(x, w);
  Tensor root;
  {
    NoGradGuard no_grad;
    const std::vector<double> roots =
        solve_along_w(c.to(kFloat64).to_vector<double>(), wu.item(), b.to(kFloat64).item());
    root = tensor(roots, {x.size(0)}, TensorOptions(kFloat64).device(x.device())).to(c.dtype());
  }
  const Tensor t_root = tanh(root + b);
  const Tensor a = root - (root + wu * t_root - c) / (1.0 + wu * (1.0 - t_root.square()));
  const Tensor t = tanh(a + b);
  return {x - t.unsqueeze(1) * uh, -log_abs_det(t)};
}

}  // namespace dgm::models::flows
