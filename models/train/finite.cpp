#include "models/train/finite.h"

#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/reduce.h"

namespace dgm::models::train {

namespace {
// sum(t - t) in float64: 0 when every element is finite, NaN otherwise. Made
// with kernels, not tensor ops, so that it records nothing and anomaly mode
// (which would throw at the NaN) does not check it: the trainer's message is the one to give.
Tensor zero_or_nan(const Tensor& t) {
  std::vector<int64_t> all(static_cast<size_t>(t.dim()));
  for (int64_t d = 0; d < t.dim(); ++d) all[static_cast<size_t>(d)] = d;
  Tensor diff = kernels::binary(kernels::Binary::Sub, t.detach(), t.detach());
  return kernels::copy_to_new(kernels::reduce(kernels::Reduce::Sum, diff, all, false), kFloat64);
}
}  // namespace

bool all_finite(const Tensor& t) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return true;
  return zero_or_nan(t).item<double>() == 0.0;
}

bool gradients_finite(const std::vector<Tensor>& params) {
  Tensor total;  // the sum of zero_or_nan over the gradients, on the first one's device: one read back
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined() || !g.is_floating_point() || g.numel() == 0) continue;
    Tensor zero = zero_or_nan(g);
    if (!total.defined())
      total = zero;
    else if (zero.device() == total.device())
      total = kernels::binary(kernels::Binary::Add, total, zero);
    else if (zero.item<double>() != 0.0)  // another device: read back on its own
      return false;
  }
  return !total.defined() || total.item<double>() == 0.0;
}

std::string first_non_finite(const std::vector<std::pair<std::string, Tensor>>& named) {
  for (const auto& [name, t] : named)
    if (!all_finite(t)) return name;
  return "";
}

}  // namespace dgm::models::train
