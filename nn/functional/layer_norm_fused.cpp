#include "nn/functional/layer_norm_fused.h"

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "tensor/kernels/layer_norm.h"

namespace dgm::nn::functional {

namespace {

// Permutation moving dim `from` of an n-dim tensor to position `to`.
std::vector<int64_t> move_dim(int64_t n, int64_t from, int64_t to) {
  std::vector<int64_t> order;
  for (int64_t d = 0; d < n; ++d)
    if (d != from) order.push_back(d);
  order.insert(order.begin() + to, from);
  return order;
}

// Where the normalized rows lie in memory. With one normalized dim, the last
// dim may sit at position `at` of a contiguous tensor (after
// x.permute(0, 2, 3, 1) of an NCHW tensor it sits at 1: the channels of
// NCHW), and no copy is made; otherwise x is made contiguous (at = last dim)
// and the trailing dims are flattened into rows.
struct Rows {
  Tensor data;  // x, contiguous, with the normalized dim at `at`
  int64_t at;
  kernels::RowLayout layout;
};

Rows find_rows(const Tensor& x, int64_t k) {
  const int64_t last = x.dim() - 1;
  if (k == 1) {
    for (int64_t at = last; at >= 0; --at) {
      Tensor t = at == last ? x : x.permute(move_dim(x.dim(), last, at));
      if (!t.is_contiguous()) continue;
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < at; ++d) outer *= t.size(d);
      for (int64_t d = at + 1; d < t.dim(); ++d) inner *= t.size(d);
      return {t, at, {outer, t.size(at), inner}};
    }
  }
  int64_t n = 1;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) n *= x.size(d);
  return {x.contiguous(), last, {x.numel() / n, n, 1}};
}

// A tensor laid out like Rows::data (normalized dim at `at`) back to x's dim order, and the reverse.
Tensor to_x_order(const Tensor& t, int64_t at) {
  return at == t.dim() - 1 ? t : t.permute(move_dim(t.dim(), at, t.dim() - 1));
}
Tensor to_rows_order(const Tensor& t, int64_t at) {
  return at == t.dim() - 1 ? t : t.permute(move_dim(t.dim(), t.dim() - 1, at));
}

Tensor detached(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }

bool same_kind(const Tensor& p, const Tensor& x) {
  return !p.defined() || (p.dtype() == x.dtype() && p.device() == x.device());
}

}  // namespace

Tensor fused_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                        double eps) {
  if (x.is_cuda() || x.numel() == 0 || !same_kind(weight, x) || !same_kind(bias, x)) return Tensor();
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const Rows rows = find_rows(x.detach(), k);
  kernels::LayerNormForward f =
      kernels::layer_norm_forward(rows.data, rows.layout, detached(weight), detached(bias), eps);
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  const Shape shape = normalized_shape;
  return autograd::record("layer_norm", to_x_order(f.y, rows.at), {x, weight, bias},
                          [x, weight, bias, rows, mean = f.mean, rstd = f.rstd, dims, eps, shape](
                              const Tensor& g, const autograd::NeedsGrad& needs) {
                            if (GradMode::is_enabled()) return layer_norm_grad(g, x, weight, bias, dims, eps, needs);
                            Tensor g_rows = to_rows_order(g, rows.at).contiguous();
                            kernels::LayerNormBackward b = kernels::layer_norm_backward(
                                g_rows, rows.data, rows.layout, mean, rstd, detached(weight), needs[1], needs[2]);
                            return std::vector<Tensor>{needs[0] ? to_x_order(b.dx, rows.at) : Tensor(),
                                                       b.dweight.defined() ? b.dweight.reshape(shape) : Tensor(),
                                                       b.dbias.defined() ? b.dbias.reshape(shape) : Tensor()};
                          });
}

}  // namespace dgm::nn::functional
