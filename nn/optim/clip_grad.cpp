#include "nn/optim/clip_grad.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::nn::optim {

// total = || (||g_1||_p, ..., ||g_n||_p) ||_p;  g *= min(1, max_norm / (total + 1e-6))
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads, norms;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    grads.push_back(g);
    Tensor n = g.numel() == 0 ? zeros({}, TensorOptions(g.dtype()).device(g.device())) : norm(g, norm_type);
    norms.push_back(n.to(grads.front().device()));
  }
  if (grads.empty()) return 0.0;
  Tensor total = norms.size() == 1 ? norms[0] : norm(stack(norms), norm_type);
  double total_value = total.item<double>();
  DGM_CHECK(!error_if_nonfinite || std::isfinite(total_value), "clip_grad_norm_: the total norm of order ", norm_type,
            " of the gradients is ", total_value, "; set error_if_nonfinite = false to clip anyway");
  Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (Tensor& g : grads) g.mul_(coef);
  return total_value;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (g.defined()) g.clamp_(-clip_value, clip_value);
  }
}

}  // namespace dgm::nn::optim
