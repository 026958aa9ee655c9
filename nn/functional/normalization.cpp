// layer_norm, group_norm, batch_norm as composites of differentiable ops:
//   y = (x - mean) * rsqrt(var + eps) [* weight] [+ bias]
// so d y / d x (through the mean and the variance too) and second
// derivatives come from the ops' own gradients. On the CPU layer_norm and
// group_norm run one fused kernel each instead (nn/functional/
// layer_norm_fused.h, group_norm_fused.h); the composite is their definition
// and what the GPU runs, and layer_norm_grad and group_norm_grad below are
// their gradients, written out for the fused kernels' create_graph path.
#include "nn/functional/normalization.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "nn/functional/group_norm_fused.h"
#include "nn/functional/layer_norm_fused.h"

namespace dgm::nn::functional {

namespace {

void check_input(const char* op, const Tensor& x, int64_t min_dims) {
  DGM_CHECK(x.defined(), op, ": got an undefined input");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point input, got ", dtype_name(x.dtype()), " of shape ",
            shape_str(x.shape()));
  DGM_CHECK(x.dim() >= min_dims, op, ": expected an input with at least ", min_dims, " dims, got shape ",
            shape_str(x.shape()));
}

void check_param(const char* op, const char* name, const Tensor& p, const Shape& expected, const Tensor& x) {
  if (!p.defined()) return;
  DGM_CHECK(p.shape() == expected, op, ": expected ", name, " of shape ", shape_str(expected), ", got ",
            shape_str(p.shape()), " (input shape ", shape_str(x.shape()), ")");
}

// xhat = (x - mean) * rstd over dims, rstd = 1 / sqrt(var + eps), biased variance.
struct Standardized {
  Tensor xhat, rstd;
};
Standardized standardize(const Tensor& x, const std::vector<int64_t>& dims, double eps) {
  Tensor mu = mean(x, dims, /*keepdim=*/true);
  Tensor centered = x - mu;
  Tensor rstd = rsqrt(mean(centered * centered, dims, /*keepdim=*/true) + eps);
  return {centered * rstd, rstd};
}

// (x - mean) / sqrt(var + eps) over dims, biased variance.
Tensor normalize(const Tensor& x, const std::vector<int64_t>& dims, double eps) {
  return standardize(x, dims, eps).xhat;
}

// Shape (1, C, 1, ..., 1) for a per-channel parameter of an (N, C, *) input.
Shape channel_shape(const Tensor& x) {
  Shape s(x.dim(), 1);
  s[1] = x.size(1);
  return s;
}

Tensor affine(Tensor y, const Tensor& weight, const Tensor& bias, const Shape& param_shape) {
  if (weight.defined()) y = y * weight.reshape(param_shape);
  if (bias.defined()) y = y + bias.reshape(param_shape);
  return y;
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  check_input("layer_norm", x, k);
  DGM_CHECK(k >= 1, "layer_norm: normalized_shape must not be empty");
  Shape trailing(x.shape().end() - k, x.shape().end());
  DGM_CHECK(trailing == normalized_shape, "layer_norm: input of shape ", shape_str(x.shape()),
            " does not end with normalized_shape ", shape_str(normalized_shape));
  check_param("layer_norm", "weight", weight, normalized_shape, x);
  check_param("layer_norm", "bias", bias, normalized_shape, x);
  // the CPU computes it with one fused kernel (nn/functional/layer_norm_fused.h)
  if (Tensor y = fused_layer_norm(x, normalized_shape, weight, bias, eps); y.defined()) return y;
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  return affine(normalize(x, dims, eps), weight, bias, normalized_shape);
}

// The layer-norm gradient, the one statement of it (the fused CPU kernel's
// backward loop computes the same, and is tested against this):
// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = g * weight;
// dweight = sum_rows g * xhat; dbias = sum_rows g
std::vector<Tensor> layer_norm_grad(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                                    const std::vector<int64_t>& dims, double eps, const std::vector<bool>& needs) {
  const auto [xhat, rstd] = standardize(x, dims, eps);
  Tensor gw = weight.defined() ? g * weight : g;
  std::vector<int64_t> rows;  // the leading dims, summed over for dweight and dbias
  for (int64_t d = 0; d < dims.front(); ++d) rows.push_back(d);
  auto over_rows = [&](const Tensor& t) { return rows.empty() ? t : t.sum(rows); };
  return {needs[0] ? rstd * (gw - mean(gw, dims, true) - xhat * mean(gw * xhat, dims, true)) : Tensor(),
          needs[1] && weight.defined() ? over_rows(g * xhat) : Tensor(),
          needs[2] && bias.defined() ? over_rows(g) : Tensor()};
}

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  check_input("group_norm", x, 2);
  const int64_t n = x.size(0), c = x.size(1);
  DGM_CHECK(num_groups > 0 && c % num_groups == 0, "group_norm: num_groups ", num_groups,
            " must divide the number of channels ", c, " (input shape ", shape_str(x.shape()), ")");
  check_param("group_norm", "weight", weight, {c}, x);
  check_param("group_norm", "bias", bias, {c}, x);
  // the CPU computes it with one fused kernel (nn/functional/group_norm_fused.h)
  if (Tensor y = fused_group_norm(x, num_groups, weight, bias, eps); y.defined()) return y;
  // each (sample, group) row standardized, then the per-channel affine
  return affine(normalize(x.reshape({n, num_groups, -1}), {2}, eps).reshape(x.shape()), weight, bias, channel_shape(x));
}

// The group-norm gradient, the one statement of it (the fused CPU kernel's backward loop computes the same, and is
// tested against this): per (sample, group) row, the layer-norm gradient of the row for the output gradient
// gw = g * weight[c]; dweight[c] = sum over samples and positions of g * xhat; dbias[c] = the same sum of g
std::vector<Tensor> group_norm_grad(const Tensor& g, const Tensor& x, int64_t num_groups, const Tensor& weight,
                                    const Tensor& bias, double eps, const std::vector<bool>& needs) {
  const int64_t n = x.size(0);
  const Shape rows{n, num_groups, -1};
  std::vector<int64_t> not_channels;  // the dims summed over for dweight and dbias
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != 1) not_channels.push_back(d);
  Tensor dx;
  if (needs[0]) {
    Tensor gw = weight.defined() ? g * weight.reshape(channel_shape(x)) : g;
    dx = layer_norm_grad(gw.reshape(rows), x.reshape(rows), Tensor(), Tensor(), {2}, eps, {true, false, false})[0]
             .reshape(x.shape());
  }
  Tensor dweight;
  if (needs[1] && weight.defined())
    dweight = (g * normalize(x.reshape(rows), {2}, eps).reshape(x.shape())).sum(not_channels);
  return {dx, dweight, needs[2] && bias.defined() ? g.sum(not_channels) : Tensor()};
}

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  check_input("batch_norm", x, 2);
  const int64_t c = x.size(1);
  check_param("batch_norm", "running_mean", running_mean, {c}, x);
  check_param("batch_norm", "running_var", running_var, {c}, x);
  check_param("batch_norm", "weight", weight, {c}, x);
  check_param("batch_norm", "bias", bias, {c}, x);
  const Shape ps = channel_shape(x);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != 1) dims.push_back(d);
  if (!training) {
    DGM_CHECK(running_mean.defined() && running_var.defined(),
              "batch_norm: running_mean and running_var are needed when not training (input shape ",
              shape_str(x.shape()), ")");
    Tensor y = (x - running_mean.reshape(ps)) * rsqrt(running_var.reshape(ps) + eps);
    return affine(y, weight, bias, ps);
  }
  const int64_t count = x.numel() / c;
  DGM_CHECK(count > 1, "batch_norm: expected more than 1 value per channel when training, got input of shape ",
            shape_str(x.shape()));
  Tensor mu = mean(x, dims, /*keepdim=*/true);
  Tensor centered = x - mu;
  Tensor v = mean(centered * centered, dims, /*keepdim=*/true);  // biased: normalizes
  if (running_mean.defined() || running_var.defined()) {
    NoGradGuard no_grad;
    if (running_mean.defined()) {
      Tensor rm = running_mean;
      rm.mul_(1 - momentum).add_(mu.detach().reshape({c}), momentum);
    }
    if (running_var.defined()) {
      Tensor rv = running_var;
      Tensor unbiased = v.detach().reshape({c}) * (static_cast<double>(count) / static_cast<double>(count - 1));
      rv.mul_(1 - momentum).add_(unbiased, momentum);
    }
  }
  return affine(centered * rsqrt(v + eps), weight, bias, ps);
}

}  // namespace dgm::nn::functional
