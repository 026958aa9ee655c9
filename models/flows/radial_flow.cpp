#include "models/flows/radial_flow.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

RadialTransform::RadialTransform(int64_t dim, Generator* gen) : dim_(dim) {
  DGM_CHECK(dim >= 1, "RadialTransform: dim must be positive, got ", dim);
  z0 = register_parameter("z0", nn::init::normal_(empty({dim}), 0, 0.1, gen));
  a = register_parameter("a", nn::init::normal_(empty({1}), 0, 0.1, gen));
  b = register_parameter("b", nn::init::normal_(empty({1}), 0, 0.1, gen));
}

Tensor RadialTransform::alpha() const { return softplus(a); }
Tensor RadialTransform::beta() const { return softplus(b) - alpha(); }

FlowOutput RadialTransform::forward(const Tensor& x, bool invert) {
  const char* op = invert ? "RadialTransform.inverse" : "RadialTransform.forward";
  DGM_CHECK(x.dim() == 2 && x.size(1) == dim_, op, ": expected points of shape (B,", dim_, "), got ",
            shape_str(x.shape()));
  DGM_CHECK(is_floating(x.dtype()), op, ": expected floating point points, got ", dtype_name(x.dtype()));
  const Tensor al = alpha(), be = beta();
  const Tensor d = x - z0;
  const Tensor s = norm(d, 2, {1});  // r going forward, |y - z0| going back
  // log|det| = (D - 1) log(1 + beta h) + log(1 + beta h + beta h' r)
  //          = (D - 1) log(1 + beta h) + log(1 + beta alpha h^2)
  auto log_det_at = [&](const Tensor& r) {
    const Tensor h = 1.0 / (al + r);
    return static_cast<double>(dim_ - 1) * log(1.0 + be * h) + log(1.0 + be * al * h.square());
  };
  if (!invert) return {x + (be / (al + s)).unsqueeze(1) * d, log_det_at(s)};
  // r >= 0 solves r^2 + (alpha + beta - s) r - alpha s = 0.
  Tensor root;
  {
    NoGradGuard no_grad;
    const double alpha_v = al.to(kFloat64).item(), beta_v = be.to(kFloat64).item();
    std::vector<double> r = s.to(kFloat64).to_vector<double>();
    for (double& v : r) {
      const double q = alpha_v + beta_v - v, root_disc = std::sqrt(q * q + 4 * alpha_v * v);
      v = q >= 0 ? 2 * alpha_v * v / (q + root_disc) : (root_disc - q) / 2;
    }
    root = tensor(r, {x.size(0)}, TensorOptions(kFloat64).device(x.device())).to(s.dtype());
  }
  // One recorded Newton step on G(r) = r + beta r / (alpha + r) - s, G' = 1 + beta alpha / (alpha + r)^2.
  const Tensor r = root - (root + be * root / (al + root) - s) / (1.0 + be * al / (al + root).square());
  return {z0 + d / (1.0 + be / (al + r)).unsqueeze(1), -log_det_at(r)};
}

}  // namespace dgm::models::flows
