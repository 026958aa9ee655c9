#include "models/train/finite.h"

#include "autograd/grad_mode.h"

namespace dgm::models::train {

bool all_finite(const Tensor& t) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return true;
  NoGradGuard no_grad;
  return (t * 0.0).sum().item<double>() == 0.0;
}

bool gradients_finite(const std::vector<Tensor>& params) {
  NoGradGuard no_grad;
  Tensor total;  // sum over the gradients of sum(0 * g): 0, or NaN when any element is not finite
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined() || !g.is_floating_point() || g.numel() == 0) continue;
    Tensor zero = (g * 0.0).sum().to(kFloat64);
    total = total.defined() ? total + zero.to(total.device()) : zero;
  }
  return !total.defined() || total.item<double>() == 0.0;
}

std::string first_non_finite(const std::vector<std::pair<std::string, Tensor>>& named) {
  for (const auto& [name, t] : named)
    if (!all_finite(t)) return name;
  return "";
}

}  // namespace dgm::models::train
