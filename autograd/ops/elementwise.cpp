// Elementwise ops: the front end (promotion, broadcasting) and, above each op,
// its derivative. Gradients are written with differentiable ops, so they can
// be differentiated again.
#include "autograd/ops/elementwise.h"

#include <cmath>

#include "autograd/node.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"

namespace dgm {

using autograd::record;
using autograd::Saves;
using kernels::Binary;
using kernels::Unary;

Tensor scalar_like(double value, const Tensor& like) {
  DType t = like.dtype();
  if (!is_floating(t)) t = value == std::floor(value) ? kInt64 : kFloat32;
  return scalar_tensor(value, TensorOptions(t).device(like.device()));
}

namespace {

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.device() == b.device(), op, ": expected all tensors on the same device, got ", a.device().str(), " and ",
            b.device().str(), " (shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), ")");
}

// Brings a and b to one dtype and one shape (both differentiably).
std::pair<Tensor, Tensor> promote_and_broadcast(const char* op, Tensor a, Tensor b) {
  DGM_CHECK(a.defined() && b.defined(), op, ": got an undefined tensor");
  check_same_device(op, a, b);
  DType t = promote_types(a.dtype(), b.dtype());
  if (a.dtype() != t) a = a.to(t);
  if (b.dtype() != t) b = b.to(t);
  if (a.shape() != b.shape()) {
    Shape s = broadcast_shapes(op, a.shape(), b.shape());
    if (a.shape() != s) a = a.expand(s);
    if (b.shape() != s) b = b.expand(s);
  }
  return {a, b};
}

void check_floating(const char* op, const Tensor& x) {
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(x.dtype()), " of shape ",
            shape_str(x.shape()));
}

template <typename Grad>
Tensor unary_op(const char* name, const Tensor& x, Unary op, Grad grad) {
  check_floating(name, x);
  return record(name, kernels::unary(op, x), {x}, [grad](const Tensor& g) { return std::vector<Tensor>{grad(g)}; });
}

Tensor compare(const char* op, Binary kind, const Tensor& a, const Tensor& b) {
  auto [x, y] = promote_and_broadcast(op, a.detach(), b.detach());
  return kernels::binary(kind, x, y);
}

}  // namespace

// ============================ derivative table ============================
// clang-format off: one op per entry, laid out by hand to read as a table.
// clang-format off
// record's last argument says which values a backward reads (autograd/node.h,
// Saves; the default: the inputs), so that editing them in place before
// backward is an error rather than a wrong gradient.
// Unary: y = f(x), dL/dx = g * f'(x), with g = dL/dy.

// d/dx (-x) = -1
Tensor neg(const Tensor& x) {
  DGM_CHECK(x.dtype() != kBool, "neg: not defined for bool tensors; use logical_not");
  return record("neg", kernels::unary(Unary::Neg, x), {x}, [](const Tensor& g) { return std::vector{neg(g)}; },
                Saves::Nothing);
}
// d/dx exp(x) = exp(x)
Tensor exp(const Tensor& x) { return unary_op("exp", x, Unary::Exp, [x](const Tensor& g) { return g * exp(x); }); }
// d/dx log(x) = 1/x
Tensor log(const Tensor& x) { return unary_op("log", x, Unary::Log, [x](const Tensor& g) { return g / x; }); }
// d/dx log(1+x) = 1/(1+x)
Tensor log1p(const Tensor& x) {
  return unary_op("log1p", x, Unary::Log1p, [x](const Tensor& g) { return g / (x + 1.0); });
}
// d/dx (exp(x)-1) = exp(x)
Tensor expm1(const Tensor& x) {
  return unary_op("expm1", x, Unary::Expm1, [x](const Tensor& g) { return g * exp(x); });
}
// d/dx sqrt(x) = 1 / (2 sqrt(x))
Tensor sqrt(const Tensor& x) {
  return unary_op("sqrt", x, Unary::Sqrt, [x](const Tensor& g) { return g / (2.0 * sqrt(x)); });
}
// d/dx x^(-1/2) = -1/2 x^(-3/2)
Tensor rsqrt(const Tensor& x) {
  return unary_op("rsqrt", x, Unary::Rsqrt, [x](const Tensor& g) { return -0.5 * g * pow(rsqrt(x), 3.0); });
}
// d/dx x^2 = 2x
Tensor square(const Tensor& x) { return x * x; }
// d/dx 1/x = -1/x^2
Tensor reciprocal(const Tensor& x) { return 1.0 / x; }
// d/dx |x| = sign(x)   (0 at x = 0, as PyTorch)
Tensor abs(const Tensor& x) {
  return record("abs", kernels::unary(Unary::Abs, x), {x}, [x](const Tensor& g) { return std::vector{g * sign(x)}; });
}
// sign, floor, round: piecewise constant, gradient 0
Tensor sign(const Tensor& x) {
  return record("sign", kernels::unary(Unary::Sign, x), {x},
                [](const Tensor& g) { return std::vector{zeros_like(g)}; }, Saves::Nothing);
}
Tensor floor(const Tensor& x) {
  return record("floor", kernels::unary(Unary::Floor, x), {x},
                [](const Tensor& g) { return std::vector{zeros_like(g)}; }, Saves::Nothing);
}
Tensor round(const Tensor& x) {
  return record("round", kernels::unary(Unary::Round, x), {x},
                [](const Tensor& g) { return std::vector{zeros_like(g)}; }, Saves::Nothing);
}
// d/dx sin(x) = cos(x)
Tensor sin(const Tensor& x) { return unary_op("sin", x, Unary::Sin, [x](const Tensor& g) { return g * cos(x); }); }
// d/dx cos(x) = -sin(x)
Tensor cos(const Tensor& x) { return unary_op("cos", x, Unary::Cos, [x](const Tensor& g) { return -g * sin(x); }); }
// d/dx tanh(x) = 1 - tanh(x)^2
Tensor tanh(const Tensor& x) {
  return unary_op("tanh", x, Unary::Tanh, [x](const Tensor& g) { return g * (1.0 - square(tanh(x))); });
}
// d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))
Tensor sigmoid(const Tensor& x) {
  return unary_op("sigmoid", x, Unary::Sigmoid, [x](const Tensor& g) {
    Tensor s = sigmoid(x);
    return g * s * (1.0 - s);
  });
}
// d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
Tensor erf(const Tensor& x) {
  return unary_op("erf", x, Unary::Erf, [x](const Tensor& g) { return g * (2.0 / std::sqrt(M_PI)) * exp(-square(x)); });
}
// d/dx clamp(x, lo, hi) = 1 inside [lo, hi] (boundaries included), else 0
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  return record("clamp", kernels::clamp(x, lo, hi), {x}, [x, lo, hi](const Tensor& g) {
    Tensor inside = ones_like(x, TensorOptions(kBool).device(x.device()));
    if (lo) inside = logical_and(inside, x.ge(*lo));
    if (hi) inside = logical_and(inside, x.le(*hi));
    return std::vector{where(inside, g, 0.0)};
  });
}

// Binary: z = f(a, b) on operands already promoted and broadcast; expand's
// own backward (sum_to) takes each gradient back to its input's shape.

// d(a + alpha b) = (g, alpha g)
Tensor add(const Tensor& a_, const Tensor& b_, double alpha) {
  auto [a, b] = promote_and_broadcast("add", a_, b_);
  if (alpha != 1) b = b * alpha;
  return record("add", kernels::binary(Binary::Add, a, b), {a, b}, [](const Tensor& g) { return std::vector{g, g}; },
                Saves::Nothing);
}
// d(a - alpha b) = (g, -alpha g)
Tensor sub(const Tensor& a_, const Tensor& b_, double alpha) {
  auto [a, b] = promote_and_broadcast("sub", a_, b_);
  DGM_CHECK(a.dtype() != kBool, "sub: not defined for bool tensors");
  if (alpha != 1) b = b * alpha;
  return record("sub", kernels::binary(Binary::Sub, a, b), {a, b},
                [](const Tensor& g) { return std::vector{g, neg(g)}; }, Saves::Nothing);
}
// d(a b) = (g b, g a)
Tensor mul(const Tensor& a_, const Tensor& b_) {
  auto [a, b] = promote_and_broadcast("mul", a_, b_);
  return record("mul", kernels::binary(Binary::Mul, a, b), {a, b},
                [a = a, b = b](const Tensor& g, const autograd::NeedsGrad& needs) {
                  return std::vector{needs[0] ? g * b : Tensor(), needs[1] ? g * a : Tensor()};
                },
                Saves::OtherInput);
}
// d(a / b) = (g / b, -g a / b^2)
Tensor div(const Tensor& a_, const Tensor& b_) {
  auto [a, b] = promote_and_broadcast("div", a_, b_);
  if (!a.is_floating_point()) {  // true division, as torch.div
    a = a.to(kFloat32);
    b = b.to(kFloat32);
  }
  return record("div", kernels::binary(Binary::Div, a, b), {a, b},
                [a = a, b = b](const Tensor& g, const autograd::NeedsGrad& needs) {
                  return std::vector{needs[0] ? g / b : Tensor(), needs[1] ? -g * a / (b * b) : Tensor()};
                });
}
// d(a^b) = (g b a^(b-1), g a^b log(a)); the second is 0 where a = 0 and b >= 0 (PyTorch)
Tensor pow(const Tensor& a_, const Tensor& b_) {
  auto [a, b] = promote_and_broadcast("pow", a_, b_);
  return record("pow", kernels::binary(Binary::Pow, a, b), {a, b},
                [a = a, b = b](const Tensor& g, const autograd::NeedsGrad& needs) {
                  Tensor ga, gb;
                  if (needs[0]) ga = where(b.eq(0.0), 0.0, g * b * pow(a, b - 1.0));
                  if (needs[1]) gb = where(logical_and(a.eq(0.0), b.ge(0.0)), 0.0, g * pow(a, b) * log(a));
                  return std::vector{ga, gb};
                });
}
// d/dx x^p = p x^(p-1)   (0 when p = 0)
Tensor pow(const Tensor& x, double p) {
  Tensor base = x.is_floating_point() || p != std::floor(p) ? (x.is_floating_point() ? x : x.to(kFloat32)) : x;
  Tensor out = kernels::binary(Binary::Pow, base, scalar_like(p, base).expand(base.shape()));
  return record("pow", out, {base}, [base, p](const Tensor& g) {
    return std::vector{p == 0 ? zeros_like(g) : g * p * pow(base, p - 1)};
  });
}
Tensor pow(double base, const Tensor& exponent) { return pow(scalar_like(base, exponent), exponent); }
// d min(a,b) = g to the smaller one, split in half on ties (PyTorch)
Tensor minimum(const Tensor& a_, const Tensor& b_) {
  auto [a, b] = promote_and_broadcast("minimum", a_, b_);
  return record("minimum", kernels::binary(Binary::Minimum, a, b), {a, b}, [a = a, b = b](const Tensor& g) {
    Tensor share = where(a.eq(b), g / 2.0, g);
    return std::vector{where(a.gt(b), 0.0, share), where(b.gt(a), 0.0, share)};
  });
}
// d max(a,b) = g to the larger one, split in half on ties (PyTorch)
Tensor maximum(const Tensor& a_, const Tensor& b_) {
  auto [a, b] = promote_and_broadcast("maximum", a_, b_);
  return record("maximum", kernels::binary(Binary::Maximum, a, b), {a, b}, [a = a, b = b](const Tensor& g) {
    Tensor share = where(a.eq(b), g / 2.0, g);
    return std::vector{where(a.lt(b), 0.0, share), where(b.lt(a), 0.0, share)};
  });
}
// d where(c, a, b) = (where(c, g, 0), where(c, 0, g))
Tensor where(const Tensor& cond_, const Tensor& a_, const Tensor& b_) {
  DGM_CHECK(cond_.dtype() == kBool, "where: condition must be a bool tensor, got ", dtype_name(cond_.dtype()));
  auto [a, b] = promote_and_broadcast("where", a_, b_);
  Shape s = broadcast_shapes("where", cond_.shape(), a.shape());
  Tensor cond = cond_.expand(s);
  if (a.shape() != s) {
    a = a.expand(s);
    b = b.expand(s);
  }
  return autograd::also_reads(record(
      "where", kernels::where(cond, a, b), {a, b},
      [cond](const Tensor& g) {
        Tensor zero = zeros({}, TensorOptions(g.dtype()).device(g.device()));
        return std::vector{where(cond, g, zero), where(cond, zero, g)};
      },
      Saves::Nothing), "condition", cond);
}
Tensor where(const Tensor& c, const Tensor& a, double b) { return where(c, a, scalar_like(b, a)); }
Tensor where(const Tensor& c, double a, const Tensor& b) { return where(c, scalar_like(a, b), b); }

Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", Binary::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", Binary::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", Binary::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", Binary::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", Binary::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", Binary::Ge, a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare("logical_and", Binary::LogicalAnd, a.to(kBool), b.to(kBool));
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare("logical_or", Binary::LogicalOr, a.to(kBool), b.to(kBool));
}
Tensor logical_not(const Tensor& x) { return kernels::unary(Unary::LogicalNot, x); }

// Sum over the dims that broadcasting added or stretched.
Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  DGM_CHECK(lead >= 0, "sum_to: cannot sum shape ", shape_str(x.shape()), " to ", shape_str(shape));
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.size(d) != 1)) dims.push_back(d);
  Tensor s = dims.empty() ? x : x.sum(dims, /*keepdim=*/true);
  return s.reshape(shape);
}

// ---- methods and operators ----
Tensor Tensor::neg() const { return dgm::neg(*this); }
Tensor Tensor::exp() const { return dgm::exp(*this); }
Tensor Tensor::log() const { return dgm::log(*this); }
Tensor Tensor::log1p() const { return dgm::log1p(*this); }
Tensor Tensor::expm1() const { return dgm::expm1(*this); }
Tensor Tensor::sqrt() const { return dgm::sqrt(*this); }
Tensor Tensor::rsqrt() const { return dgm::rsqrt(*this); }
Tensor Tensor::square() const { return dgm::square(*this); }
Tensor Tensor::reciprocal() const { return dgm::reciprocal(*this); }
Tensor Tensor::abs() const { return dgm::abs(*this); }
Tensor Tensor::sign() const { return dgm::sign(*this); }
Tensor Tensor::sin() const { return dgm::sin(*this); }
Tensor Tensor::cos() const { return dgm::cos(*this); }
Tensor Tensor::tanh() const { return dgm::tanh(*this); }
Tensor Tensor::sigmoid() const { return dgm::sigmoid(*this); }
Tensor Tensor::relu() const { return dgm::relu(*this); }
Tensor Tensor::floor() const { return dgm::floor(*this); }
Tensor Tensor::round() const { return dgm::round(*this); }
Tensor Tensor::pow(const Tensor& e) const { return dgm::pow(*this, e); }
Tensor Tensor::pow(double e) const { return dgm::pow(*this, e); }
Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi) const { return dgm::clamp(*this, lo, hi); }
Tensor Tensor::add(const Tensor& o, double alpha) const { return dgm::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, double alpha) const { return dgm::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return dgm::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return dgm::div(*this, o); }
Tensor Tensor::eq(const Tensor& o) const { return dgm::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return dgm::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return dgm::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return dgm::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return dgm::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return dgm::ge(*this, o); }
Tensor Tensor::eq(double o) const { return dgm::eq(*this, scalar_like(o, *this)); }
Tensor Tensor::ne(double o) const { return dgm::ne(*this, scalar_like(o, *this)); }
Tensor Tensor::lt(double o) const { return dgm::lt(*this, scalar_like(o, *this)); }
Tensor Tensor::le(double o) const { return dgm::le(*this, scalar_like(o, *this)); }
Tensor Tensor::gt(double o) const { return dgm::gt(*this, scalar_like(o, *this)); }
Tensor Tensor::ge(double o) const { return dgm::ge(*this, scalar_like(o, *this)); }
Tensor Tensor::logical_not() const { return dgm::logical_not(*this); }
Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  DGM_CHECK(mask.dtype() == kBool, "masked_fill: mask must be bool, got ", dtype_name(mask.dtype()));
  // The result keeps this tensor's dtype, as in PyTorch (an int64 tensor filled with 2.5 holds 2).
  DGM_CHECK(is_floating_point() || std::isfinite(value), "masked_fill: cannot fill a ", dtype_name(dtype()),
            " tensor with ", value);
  return where(mask, scalar_tensor(value, TensorOptions(dtype()).device(device())), *this);
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator<(const Tensor& a, double b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, double b) { return a.le(b); }
Tensor operator>(const Tensor& a, double b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, double b) { return a.ge(b); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a = a + b; }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a = a - b; }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a = a * b; }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a = a / b; }

// clang-format on

}  // namespace dgm
