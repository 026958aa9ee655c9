#include "nn/functional/group_norm_fused.h"

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "tensor/kernels/group_norm.h"

namespace dgm::nn::functional {

namespace {

Tensor detached(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }

bool same_kind(const Tensor& p, const Tensor& x) {
  return !p.defined() || (p.dtype() == x.dtype() && p.device() == x.device());
}

}  // namespace

Tensor fused_group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  if (x.is_cuda() || x.numel() == 0 || !same_kind(weight, x) || !same_kind(bias, x)) return Tensor();
  const Tensor data = x.detach().contiguous();
  kernels::GroupNormForward f = kernels::group_norm_forward(data, num_groups, detached(weight), detached(bias), eps);
  return autograd::record("group_norm", f.y, {x, weight, bias},
                          [x, weight, bias, data, num_groups, mean = f.mean, rstd = f.rstd, eps](
                              const Tensor& g, const autograd::NeedsGrad& needs) {
                            if (GradMode::is_enabled())
                              return group_norm_grad(g, x, num_groups, weight, bias, eps, needs);
                            kernels::GroupNormBackward b =
                                kernels::group_norm_backward(g.contiguous(), data, num_groups, mean, rstd,
                                                             detached(weight), needs[1], needs[2] && bias.defined());
                            return std::vector<Tensor>{needs[0] ? b.dx : Tensor(), b.dweight, b.dbias};
                          });
}

}  // namespace dgm::nn::functional
