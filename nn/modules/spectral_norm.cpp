#include "nn/modules/spectral_norm.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "nn/functional/linear.h"
#include "nn/modules/conv.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"
#include "tensor/shape.h"

namespace dgm::nn {

namespace {

// a / max(||a||_2, eps), as torch.nn.functional.normalize(a, dim=0, eps=eps).
Tensor normalized(const Tensor& a, double eps) { return a / std::max(a.norm().item<double>(), eps); }

void check_pair(const char* op, const Tensor& weight, const Tensor& u, const Tensor& v) {
  DGM_CHECK(weight.dim() >= 2 && u.dim() == 1 && v.dim() == 1 && u.size(0) == weight.size(0) &&
                v.size(0) == weight.numel() / std::max<int64_t>(weight.size(0), 1),
            op, ": expected weight (out, ...) with u (out) and v (numel / out), got weight ", shape_str(weight.shape()),
            ", u ", shape_str(u.shape()), ", v ", shape_str(v.shape()));
}

}  // namespace

Tensor spectral_normalize(const Tensor& weight, const Tensor& u, const Tensor& v) {
  check_pair("spectral_normalize", weight, u, v);
  // sigma = u^T W_mat v, a 0-d tensor differentiable in W only; u and v are copied (as PyTorch clones them), so
  // the next power-iteration step, which writes them in place, leaves this graph's saved copies alone
  Tensor sigma = u.detach().clone().unsqueeze(0).mm(weight.flatten(1)).mm(v.detach().clone().unsqueeze(1)).reshape({});
  return weight / sigma;
}

void power_iteration_(const Tensor& weight, Tensor& u, Tensor& v, double eps) {
  check_pair("power_iteration_", weight, u, v);
  NoGradGuard no_grad;
  Tensor w = weight.detach().flatten(1);
  // v <- normalize(W^T u), u <- normalize(W v): PyTorch's order
  v.copy_(normalized(w.t().mm(u.unsqueeze(1)).squeeze(1), eps));
  u.copy_(normalized(w.mm(v.unsqueeze(1)).squeeze(1), eps));
}

SpectralNormWeight::SpectralNormWeight(Module& owner, const Tensor& weight, double eps_, Generator* gen) : eps(eps_) {
  DGM_CHECK(eps > 0, "SpectralNorm: eps must be positive, got ", eps);
  DGM_CHECK(weight.dim() >= 2 && weight.numel() > 0, "SpectralNorm: expected a non-empty weight (out, ...), got ",
            shape_str(weight.shape()));
  const int64_t rows = weight.size(0), cols = weight.numel() / rows;
  weight_orig = owner.register_parameter("weight_orig", weight);
  weight_u = owner.register_buffer("weight_u", normalized(randn({rows}, TensorOptions(weight.dtype()), gen), eps));
  weight_v = owner.register_buffer("weight_v", normalized(randn({cols}, TensorOptions(weight.dtype()), gen), eps));
}

Tensor SpectralNormWeight::compute(bool training) {
  if (training) power_iteration_(weight_orig, weight_u, weight_v, eps);
  return spectral_normalize(weight_orig, weight_u, weight_v);
}

namespace {
double stored_sigma(const SpectralNormWeight& sn) {
  NoGradGuard no_grad;
  Tensor w = sn.weight_orig.detach().flatten(1);
  return sn.weight_u.unsqueeze(0).mm(w).mm(sn.weight_v.unsqueeze(1)).item<double>();
}
}  // namespace

SpectralNormLinear::SpectralNormLinear(int64_t in, int64_t out, bool with_bias, double eps, Generator* gen)
    : in_features(in), out_features(out) {
  DGM_CHECK(in > 0 && out > 0, "SpectralNormLinear: sizes must be positive, got in_features=", in,
            ", out_features=", out);
  Linear init(in, out, with_bias);  // PyTorch's Linear initialization, then normalized
  if (gen) init.reset_parameters(gen);
  sn = SpectralNormWeight(*this, init.weight.detach(), eps, gen);
  if (with_bias) bias = register_parameter("bias", init.bias.detach());
}

Tensor SpectralNormLinear::weight() { return sn.compute(false); }
double SpectralNormLinear::sigma() const { return stored_sigma(sn); }

Tensor SpectralNormLinear::forward(const Tensor& x) { return functional::linear(x, sn.compute(is_training()), bias); }

std::string SpectralNormLinear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + py_bool(bias.defined());
}

SpectralNormConv2d::SpectralNormConv2d(int64_t in, int64_t out, Int2 k, Int2 s, Int2 p, bool with_bias, double eps,
                                       Generator* gen)
    : in_channels(in), out_channels(out), kernel_size(k), stride(s), padding(p) {
  Conv2d init(in, out, k, s, p, 1, 1, with_bias);  // checks the sizes; PyTorch's conv initialization
  if (gen) init.reset_parameters(gen);
  sn = SpectralNormWeight(*this, init.weight.detach(), eps, gen);
  if (with_bias) bias = register_parameter("bias", init.bias.detach());
}

double SpectralNormConv2d::sigma() const { return stored_sigma(sn); }

Tensor SpectralNormConv2d::forward(const Tensor& x) {
  return functional::conv2d(x, sn.compute(is_training()), bias, stride, padding);
}

std::string SpectralNormConv2d::extra_repr() const {
  return std::to_string(in_channels) + ", " + std::to_string(out_channels) +
         ", kernel_size=" + detail::int2_str(kernel_size) + ", stride=" + detail::int2_str(stride) +
         ", padding=" + detail::int2_str(padding) + ", bias=" + py_bool(bias.defined());
}

}  // namespace dgm::nn
