// Reductions and their gradients. A reduced dim's gradient is broadcast back
// over that dim: g is first given its kept (size-1) dims again.
#include "autograd/ops/reduction.h"

#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/factories.h"
#include "tensor/kernels/reduce.h"

namespace dgm {

using autograd::also_reads;
using autograd::record;
using autograd::Saves;
using kernels::ArgReduce;
using kernels::Reduce;
using kernels::Scan;

namespace {
// g of a reduction with keepdim=false, given back its reduced dims as size 1.
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& dims, bool keepdim) {
  if (keepdim) return g;
  Shape s = in_shape;
  for (int64_t d : dims) s[d] = 1;
  return g.reshape(s);
}

// The shape of a reduction's output.
Shape reduced_shape(const Shape& in_shape, const std::vector<int64_t>& dims, bool keepdim) {
  Shape s;
  std::vector<bool> reduced(in_shape.size(), false);
  for (int64_t d : dims) reduced[d] = true;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    if (!reduced[d])
      s.push_back(in_shape[d]);
    else if (keepdim)
      s.push_back(1);
  }
  return s;
}

void check_floating(const char* op, const Tensor& x) {
  DGM_CHECK(x.defined(), op, ": got an undefined tensor");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(x.dtype()), " of shape ",
            shape_str(x.shape()), "; convert with .to(kFloat32)");
}

int64_t count_reduced(const Tensor& x, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= x.size(d);
  return n;
}

// Positions 0..n-1 along `dim` of a `ndim`-dim tensor, shaped (1,..,n,..,1), on `device`.
Tensor positions(int64_t n, int64_t dim, int64_t ndim, Device device) {
  Shape s(ndim, 1);
  s[dim] = n;
  return arange(0, static_cast<double>(n), 1, TensorOptions(kInt64).device(device)).reshape(s);
}

// d amax(x) = g split evenly among the elements equal to the max (PyTorch);
// NaN counts as equal to a NaN result.
Tensor extreme(const char* name, Reduce op, const Tensor& x, const std::vector<int64_t>& dims_, bool keepdim) {
  DGM_CHECK(x.defined() && x.dtype() != kBool, name, ": expected a numeric tensor");
  std::vector<int64_t> dims = wrap_dims(name, dims_, x.dim());
  for (int64_t d : dims)
    DGM_CHECK(x.size(d) > 0, name, ": cannot reduce over dim ", d, " of size 0 (shape ", shape_str(x.shape()), ")");
  Tensor out = kernels::reduce(op, x.detach(), dims, keepdim);
  if (!x.is_floating_point()) return out;
  return record(name, out, {x}, [x, op, dims, keepdim](const Tensor& g) {
    Tensor v = kernels::reduce(op, x.detach(), dims, /*keepdim=*/true);
    Tensor hit = logical_or(x.eq(v), logical_and(x.ne(x), v.ne(v)));
    Tensor count = hit.sum(dims, /*keepdim=*/true).to(g.dtype());
    Tensor gu = unsqueeze_reduced(g, x.shape(), dims, keepdim);
    return std::vector{where(hit, gu / count, 0.0)};
  });
}

// d max(x, dim) = g routed to the selected index of each slice
std::tuple<Tensor, Tensor> extreme_dim(const char* name, ArgReduce op, const Tensor& x, int64_t dim, bool keepdim) {
  DGM_CHECK(x.defined() && x.dtype() != kBool, name, ": expected a numeric tensor");
  const int64_t d = wrap_dim(name, dim, x.dim());
  if (x.dim() == 0) return {x.clone(), zeros({}, TensorOptions(kInt64).device(x.device()))};
  DGM_CHECK(x.size(d) > 0, name, ": cannot reduce over dim ", d, " of size 0 (shape ", shape_str(x.shape()), ")");
  Tensor values, indices;
  std::tie(values, indices) = kernels::arg_reduce(op, x.detach(), d, keepdim);
  if (!x.is_floating_point()) return {values, indices};
  values = also_reads(record(
                          name, values, {x},
                          [indices, d, keepdim, n = x.size(d), ndim = x.dim()](const Tensor& g) {
                            Tensor idx = keepdim ? indices : indices.unsqueeze(d);
                            Tensor gu = keepdim ? g : g.unsqueeze(d);
                            return std::vector{where(positions(n, d, ndim, indices.device()).eq(idx), gu, 0.0)};
                          },
                          Saves::Nothing),
                      "indices", indices);
  return {values, indices};
}

Tensor arg_extreme(const char* name, ArgReduce op, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  DGM_CHECK(x.defined() && x.dtype() != kBool, name, ": expected a numeric tensor, got ", dtype_name(x.dtype()));
  if (!dim) {  // over all elements, as if flattened
    DGM_CHECK(x.numel() > 0, name, ": cannot take the ", name, " of an empty tensor (shape ", shape_str(x.shape()),
              ") without a dim");
    Tensor i = std::get<1>(kernels::arg_reduce(op, x.detach().reshape({-1}), 0, false));
    return keepdim ? i.reshape(Shape(x.dim(), 1)) : i;
  }
  const int64_t d = wrap_dim(name, *dim, x.dim());
  if (x.dim() == 0) return zeros({}, TensorOptions(kInt64).device(x.device()));
  DGM_CHECK(x.size(d) > 0, name, ": cannot reduce over dim ", d, " of size 0 (shape ", shape_str(x.shape()), ")");
  return std::get<1>(kernels::arg_reduce(op, x.detach(), d, keepdim));
}

// The exclusive cumulative product along d: out_i = prod_{j<i} x_j (reverse:
// prod_{j>i} x_j). Made of cumprod, so differentiable at zeros to any order.
Tensor exclusive_cumprod(const Tensor& x, int64_t d, bool reverse = false) {
  const int64_t n = x.size(d);
  if (n == 0) return x;
  if (reverse) return flip(exclusive_cumprod(flip(x, {d}), d), {d});
  Shape one = x.shape();
  one[d] = 1;
  return cumprod(cat({ones(one, TensorOptions(x.dtype()).device(x.device())), x.narrow(d, 0, n - 1)}, d), d);
}

// d prod(x) / dx_i = the product of the others = prod_{j<i} x_j * prod_{j>i} x_j,
// two exclusive cumprods: a polynomial in x with no division, so exact with
// any number of zeros, and so is its own derivative (second derivatives).
Tensor prod_dim(const Tensor& x, int64_t d, bool keepdim) {
  Tensor out = kernels::reduce(Reduce::Prod, x.detach(), {d}, keepdim);
  if (!x.is_floating_point()) return out;
  return record("prod", out, {x}, [x, d, keepdim](const Tensor& g) {
    Tensor gu = keepdim ? g : g.unsqueeze(d);
    return std::vector{gu * exclusive_cumprod(x, d) * exclusive_cumprod(x, d, /*reverse=*/true)};
  });
}

// reverse_cumsum(x)[i] = sum_{j >= i} x[j]; it is the adjoint of cumsum:
// d reverse_cumsum(x) = cumsum(g)
Tensor reverse_cumsum(const Tensor& x, int64_t d) {
  return record(
      "reverse_cumsum", kernels::scan(Scan::Sum, x.detach(), d, /*reverse=*/true), {x},
      [d](const Tensor& g) { return std::vector{cumsum(g, d)}; }, Saves::Nothing);
}

}  // namespace

// d sum(x) = g broadcast back to x's shape
Tensor sum(const Tensor& x_, const std::vector<int64_t>& dims_, bool keepdim) {
  Tensor x = x_.is_floating_point() ? x_ : x_.to(kInt64);  // bool sums count
  std::vector<int64_t> dims = wrap_dims("sum", dims_, x.dim());
  Tensor out = kernels::reduce(kernels::Reduce::Sum, x, dims, keepdim);
  return record(
      "sum", out, {x},
      [in_shape = x.shape(), dims, keepdim](const Tensor& g) {
        return std::vector{unsqueeze_reduced(g, in_shape, dims, keepdim).expand(in_shape)};
      },
      Saves::Nothing);
}

// mean = sum / (number of reduced elements)
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims_, bool keepdim) {
  DGM_CHECK(x.is_floating_point(), "mean: expected a floating point tensor, got ", dtype_name(x.dtype()),
            "; convert with .to(kFloat32)");
  std::vector<int64_t> dims = wrap_dims("mean", dims_, x.dim());
  return sum(x, dims, keepdim) / static_cast<double>(count_reduced(x, dims));
}

// var = sum((x - mean)^2) / (n - unbiased), two-pass for accuracy;
// d var = 2 (x - mean) / (n - unbiased) (the mean's own term sums to 0)
Tensor var(const Tensor& x, const std::vector<int64_t>& dims_, bool unbiased, bool keepdim) {
  check_floating("var", x);
  std::vector<int64_t> dims = wrap_dims("var", dims_, x.dim());
  const int64_t n = count_reduced(x, dims);
  Tensor centered = x - mean(x, dims, /*keepdim=*/true);
  return sum(centered * centered, dims, keepdim) / static_cast<double>(n - (unbiased ? 1 : 0));
}

// d std = d var / (2 std)
Tensor std(const Tensor& x, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  check_floating("std", x);
  return sqrt(var(x, dims, unbiased, keepdim));
}

Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme("amax", Reduce::Max, x, dims, keepdim);
}
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extreme("amin", Reduce::Min, x, dims, keepdim);
}
Tensor max(const Tensor& x) { return extreme("max", Reduce::Max, x, {}, false); }
Tensor min(const Tensor& x) { return extreme("min", Reduce::Min, x, {}, false); }
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim("max", ArgReduce::Max, x, dim, keepdim);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim("min", ArgReduce::Min, x, dim, keepdim);
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme("argmax", ArgReduce::Max, x, dim, keepdim);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme("argmin", ArgReduce::Min, x, dim, keepdim);
}

// logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x) detached (stable);
// d/dx logsumexp(x) = softmax(x), by the composite (m is a constant)
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims_, bool keepdim) {
  check_floating("logsumexp", x);
  std::vector<int64_t> dims = wrap_dims("logsumexp", dims_, x.dim());
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));  // log(0) = -inf
  Tensor m = kernels::reduce(Reduce::Max, x.detach(), dims, /*keepdim=*/true);
  m = where(abs(m).eq(std::numeric_limits<double>::infinity()), 0.0, m);  // all -inf (or an inf): no shift
  Tensor out = log(sum(exp(x - m), dims, /*keepdim=*/true)) + m;
  return keepdim ? out : out.reshape(reduced_shape(x.shape(), dims, false));
}

Tensor prod(const Tensor& x_, std::optional<int64_t> dim, bool keepdim) {
  DGM_CHECK(x_.defined(), "prod: got an undefined tensor");
  Tensor x = x_.dtype() == kBool ? x_.to(kInt64) : x_;
  if (!dim) {
    Tensor p = prod_dim(x.reshape({-1}), 0, false);
    return keepdim ? p.reshape(Shape(x.dim(), 1)) : p;
  }
  const int64_t d = wrap_dim("prod", *dim, x.dim());
  if (x.dim() == 0) return prod_dim(x.reshape({1}), 0, false);
  return prod_dim(x, d, keepdim);
}

// d cumsum(x) = reverse cumsum of g
Tensor cumsum(const Tensor& x_, int64_t dim) {
  DGM_CHECK(x_.defined(), "cumsum: got an undefined tensor");
  Tensor x = x_.is_floating_point() ? x_ : x_.to(kInt64);
  const int64_t d = wrap_dim("cumsum", dim, x.dim());
  if (x.dim() == 0) return cumsum(x.reshape({1}), 0).reshape({});
  return record(
      "cumsum", kernels::scan(Scan::Sum, x.detach(), d), {x},
      [d](const Tensor& g) { return std::vector{reverse_cumsum(g, d)}; }, Saves::Nothing);
}

namespace {
// d cumprod(x)_k / dx_i = prod_{j<=k, j!=i} x_j for k >= i, so
//   g_x_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j = L_i R_i,
//   L_i = prod_{j<i} x_j,  R_i = sum_{k>=i} g_k C_ik,  C_ik = prod_{i<j<=k} x_j.
// Without zeros: g_x = reverse_cumsum(g * cumprod(x)) / x (O(n)); exact near
// such an x, and so are its derivatives. With a zero, two ways:
//   - a value only (no create_graph), O(n): before a line's first zero z the
//     same formula; at z, reverse_cumsum(g * cumprod(x with x_z = 1)); after
//     z every product holds x_z = 0, so 0;
//   - to be differentiated again (create_graph): L_i R_i with C an (n, n)
//     cumprod per line, a polynomial in x with no division and no branch on
//     x, so its own derivative (second derivatives) is exact at zeros too.
Tensor cumprod_backward(const Tensor& g, const Tensor& x, int64_t d) {
  Tensor zero = x.eq(0.0);
  if (!any(zero).item<bool>()) return reverse_cumsum(g * cumprod(x, d), d) / x;
  if (!GradMode::is_enabled()) {
    Tensor zeros_so_far = cumsum(zero, d);
    Tensor before = zeros_so_far.eq(0.0);
    Tensor first_zero = logical_and(zero, zeros_so_far.eq(1.0));
    Tensor grad = where(before, reverse_cumsum(g * cumprod(x, d), d) / where(before, x, 1.0), 0.0);
    return where(first_zero, reverse_cumsum(g * cumprod(where(first_zero, 1.0, x), d), d), grad);
  }
  const int64_t n = x.size(d);
  Tensor xt = x.transpose(d, -1), gt = g.transpose(d, -1);  // the scanned dim last: (..., n)
  Tensor pos = arange(0, static_cast<double>(n), 1, TensorOptions(kInt64).device(x.device()));
  Tensor after = pos.unsqueeze(0).gt(pos.unsqueeze(1));         // (i, j): j > i
  Tensor c = cumprod(where(after, xt.unsqueeze(-2), 1.0), -1);  // C_ik for k >= i (1 below)
  Tensor r = sum(where(pos.unsqueeze(0).ge(pos.unsqueeze(1)), gt.unsqueeze(-2) * c, 0.0), {-1});
  return (exclusive_cumprod(xt, xt.dim() - 1) * r).transpose(d, -1);
}
}  // namespace

Tensor cumprod(const Tensor& x_, int64_t dim) {
  DGM_CHECK(x_.defined(), "cumprod: got an undefined tensor");
  Tensor x = x_.is_floating_point() ? x_ : x_.to(kInt64);
  const int64_t d = wrap_dim("cumprod", dim, x.dim());
  if (x.dim() == 0) return cumprod(x.reshape({1}), 0).reshape({});
  return record("cumprod", kernels::scan(Scan::Prod, x.detach(), d), {x},
                [x, d](const Tensor& g) { return std::vector{cumprod_backward(g, x, d)}; });
}

// p = 1: sum |x|; p = +-inf: max (min) |x| (ties split evenly); p = 0: the
// number of nonzeros (no gradient). Otherwise ||x||_p = (sum |x|^p)^(1/p) and
// d ||x||_p = g sign(x) (|x| / ||x||_p)^(p-1), 0 where the norm is 0 (p = 2: g x / ||x||)
Tensor norm(const Tensor& x, double p, const std::vector<int64_t>& dims_, bool keepdim) {
  check_floating("norm", x);
  std::vector<int64_t> dims = wrap_dims("norm", dims_, x.dim());
  if (p == 1) return sum(abs(x), dims, keepdim);
  if (std::isinf(p)) return p > 0 ? amax(abs(x), dims, keepdim) : amin(abs(x), dims, keepdim);
  if (p == 0) return sum(x.detach().ne(0.0), dims, keepdim).to(x.dtype());
  Tensor out;
  {
    NoGradGuard no_grad;
    out = p == 2 ? sqrt(sum(x * x, dims, keepdim)) : pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
  }
  return record("norm", out, {x}, [x, p, dims, keepdim](const Tensor& g) {
    Tensor n = norm(x, p, dims, /*keepdim=*/true);
    Tensor is_zero = n.eq(0.0);
    Tensor n_safe = where(is_zero, 1.0, n);
    Tensor scaled = p == 2 ? x / n_safe : where(x.eq(0.0), 0.0, sign(x) * pow(abs(x) / n_safe, p - 1));
    Tensor gu = unsqueeze_reduced(g, x.shape(), dims, keepdim);
    return std::vector{where(is_zero, 0.0, gu * scaled)};
  });
}

Tensor all(const Tensor& x) {
  if (x.numel() == 0) return scalar_tensor(1, TensorOptions(kBool).device(x.device()));
  Tensor nonzero = x.to(kBool).to(kInt64);
  return kernels::reduce(Reduce::Min, nonzero, wrap_dims("all", {}, x.dim()), false).to(kBool);
}
Tensor any(const Tensor& x) {
  if (x.numel() == 0) return scalar_tensor(0, TensorOptions(kBool).device(x.device()));
  Tensor nonzero = x.to(kBool).to(kInt64);
  return kernels::reduce(Reduce::Max, nonzero, wrap_dims("any", {}, x.dim()), false).to(kBool);
}

Tensor Tensor::sum() const { return dgm::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return dgm::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::mean(*this, dims, keepdim); }
Tensor Tensor::var(const std::vector<int64_t>& dims, bool unbiased, bool keepdim) const {
  return dgm::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::std(const std::vector<int64_t>& dims, bool unbiased, bool keepdim) const {
  return dgm::std(*this, dims, unbiased, keepdim);
}
Tensor Tensor::prod() const { return dgm::prod(*this); }
Tensor Tensor::prod(int64_t dim, bool keepdim) const { return dgm::prod(*this, dim, keepdim); }
Tensor Tensor::max() const { return dgm::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const { return dgm::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return dgm::min(*this); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const { return dgm::min(*this, dim, keepdim); }
Tensor Tensor::amax(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::amax(*this, dims, keepdim); }
Tensor Tensor::amin(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return dgm::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return dgm::argmin(*this, dim, keepdim); }
Tensor Tensor::logsumexp(const std::vector<int64_t>& dims, bool keepdim) const {
  return dgm::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::cumsum(int64_t dim) const { return dgm::cumsum(*this, dim); }
Tensor Tensor::cumprod(int64_t dim) const { return dgm::cumprod(*this, dim); }
Tensor Tensor::norm(double p, const std::vector<int64_t>& dims, bool keepdim) const {
  return dgm::norm(*this, p, dims, keepdim);
}
Tensor Tensor::all() const { return dgm::all(*this); }
Tensor Tensor::any() const { return dgm::any(*this); }

}  // namespace dgm
