// CUDA elementwise kernels: each op is a __device__ lambda on one number,
// run by map1/map2/map3 (cuda/elementwise.cuh). The math of each op is
// shared with the CPU through tensor/scalar_math.h, so both backends compute
// the same function.
#include <cmath>

#include "cuda/elementwise.cuh"
#include "tensor/backend/backend.h"
#include "tensor/scalar_math.h"

namespace dgm::cuda {
using kernels::Binary;
using kernels::Unary;

namespace {

template <typename T>
void unary_typed(Unary op, const Tensor& out, const Tensor& x, double p0, double p1) {
  switch (op) {
    case Unary::Neg:
      return map1<T, T>("neg", out, x, [] __device__(T v) { return T(-v); });
    case Unary::Abs:
      return map1<T, T>("abs", out, x, [] __device__(T v) { return v < 0 ? T(-v) : v; });
    case Unary::Sign:
      return map1<T, T>("sign", out, x, [] __device__(T v) { return scalar::sign(v); });
    // relu(x) = max(x, 0), NaN stays NaN
    case Unary::Relu:
      return map1<T, T>("relu", out, x, [] __device__(T v) { return (v > 0 || v != v) ? v : T(0); });
    default:
      break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Unary::Exp:
        return map1<T, T>("exp", out, x, [] __device__(T v) { return std::exp(v); });
      case Unary::Log:
        return map1<T, T>("log", out, x, [] __device__(T v) { return std::log(v); });
      case Unary::Log1p:
        return map1<T, T>("log1p", out, x, [] __device__(T v) { return std::log1p(v); });
      case Unary::Expm1:
        return map1<T, T>("expm1", out, x, [] __device__(T v) { return std::expm1(v); });
      case Unary::Sqrt:
        return map1<T, T>("sqrt", out, x, [] __device__(T v) { return std::sqrt(v); });
      case Unary::Rsqrt:
        return map1<T, T>("rsqrt", out, x, [] __device__(T v) { return T(1) / std::sqrt(v); });
      case Unary::Sin:
        return map1<T, T>("sin", out, x, [] __device__(T v) { return std::sin(v); });
      case Unary::Cos:
        return map1<T, T>("cos", out, x, [] __device__(T v) { return std::cos(v); });
      case Unary::Tanh:
        return map1<T, T>("tanh", out, x, [] __device__(T v) { return std::tanh(v); });
      case Unary::Sigmoid:
        return map1<T, T>("sigmoid", out, x, [] __device__(T v) { return scalar::sigmoid(v); });
      case Unary::Floor:
        return map1<T, T>("floor", out, x, [] __device__(T v) { return std::floor(v); });
      case Unary::Round:
        return map1<T, T>("round", out, x, [] __device__(T v) { return scalar::round_half_even(v); });
      case Unary::Erf:
        return map1<T, T>("erf", out, x, [] __device__(T v) { return std::erf(v); });
      case Unary::Softplus: {
        const T beta = T(p0), threshold = T(p1);
        return map1<T, T>("softplus", out, x, [=] __device__(T v) { return scalar::softplus(v, beta, threshold); });
      }
      // elu(x) = x if x > 0 else alpha (exp(x) - 1)
      case Unary::Elu: {
        const T alpha = T(p0);
        return map1<T, T>("elu", out, x, [=] __device__(T v) { return scalar::elu(v, alpha); });
      }
      default:
        break;
    }
  } else if (op == Unary::Floor || op == Unary::Round) {
    return map1<T, T>("round", out, x, [] __device__(T v) { return v; });
  }
  DGM_FAIL("unary op ", static_cast<int>(op), ": not defined for dtype ", dtype_name(x.dtype()));
}

template <typename T>
void binary_typed(Binary op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    case Binary::Add:
      return map2<T, T, T>("add", out, a, b, [] __device__(T x, T y) { return T(x + y); });
    case Binary::Sub:
      return map2<T, T, T>("sub", out, a, b, [] __device__(T x, T y) { return T(x - y); });
    case Binary::Mul:
      return map2<T, T, T>("mul", out, a, b, [] __device__(T x, T y) { return T(x * y); });
    case Binary::Div:
      if constexpr (std::is_integral_v<T>)
        DGM_FAIL("div: integer division is not supported; convert to float");
      else
        return map2<T, T, T>("div", out, a, b, [] __device__(T x, T y) { return x / y; });
    case Binary::Pow:
      return map2<T, T, T>("pow", out, a, b, [] __device__(T x, T y) { return scalar::power(x, y); });
    // NaN propagates, as in torch.minimum/maximum
    case Binary::Minimum:
      return map2<T, T, T>("minimum", out, a, b, [] __device__(T x, T y) { return (x < y || x != x) ? x : y; });
    case Binary::Maximum:
      return map2<T, T, T>("maximum", out, a, b, [] __device__(T x, T y) { return (x > y || x != x) ? x : y; });
    case Binary::Eq:
      return map2<bool, T, T>("eq", out, a, b, [] __device__(T x, T y) { return x == y; });
    case Binary::Ne:
      return map2<bool, T, T>("ne", out, a, b, [] __device__(T x, T y) { return x != y; });
    case Binary::Lt:
      return map2<bool, T, T>("lt", out, a, b, [] __device__(T x, T y) { return x < y; });
    case Binary::Le:
      return map2<bool, T, T>("le", out, a, b, [] __device__(T x, T y) { return x <= y; });
    case Binary::Gt:
      return map2<bool, T, T>("gt", out, a, b, [] __device__(T x, T y) { return x > y; });
    case Binary::Ge:
      return map2<bool, T, T>("ge", out, a, b, [] __device__(T x, T y) { return x >= y; });
    case Binary::LogicalAnd:
      return map2<bool, T, T>("logical_and", out, a, b, [] __device__(T x, T y) { return bool(x) && bool(y); });
    case Binary::LogicalOr:
      return map2<bool, T, T>("logical_or", out, a, b, [] __device__(T x, T y) { return bool(x) || bool(y); });
  }
}

template <typename T>
void logical_not_typed(const Tensor& out, const Tensor& x) {
  map1<bool, T>("logical_not", out, x, [] __device__(T v) { return !v; });
}

// out = cond ? a : b
template <typename T>
void where_typed(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  map3<T, bool, T, T>("where", out, cond, a, b, [] __device__(bool c, T x, T y) { return c ? x : y; });
}

// out = min(max(x, lo), hi), NaN stays NaN
template <typename T>
void clamp_typed(const Tensor& out, const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const bool has_lo = lo.has_value(), has_hi = hi.has_value();
  const T l = has_lo ? T(*lo) : T(0), h = has_hi ? T(*hi) : T(0);
  map1<T, T>("clamp", out, x, [=] __device__(T v) {
    if (v != v) return v;
    if (has_lo && v < l) v = l;
    if (has_hi && v > h) v = h;
    return v;
  });
}

// dst[i] = To(src[i])
template <typename To, typename From>
void copy_typed(const Tensor& dst, const Tensor& src) {
  map1<To, From>("copy", dst, src, [] __device__(From v) { return static_cast<To>(v); });
}

// dst[i] = value
template <typename T>
void fill_typed(const Tensor& dst, double value) {
  const T v = static_cast<T>(value);
  map1<T, T>("fill", dst, dst, [=] __device__(T) { return v; });
}

}  // namespace

// out = op(x)
void unary(Unary op, const Tensor& out, const Tensor& x, double p0, double p1) {
  if (op == Unary::LogicalNot) {
    dispatch_all(x.dtype(), "logical_not", [&]<typename T>() { logical_not_typed<T>(out, x); });
    return;
  }
  dispatch_numeric(x.dtype(), "unary", [&]<typename T>() { unary_typed<T>(op, out, x, p0, p1); });
}

// out = op(a, b)
void binary(Binary op, const Tensor& out, const Tensor& a, const Tensor& b) {
  if (a.dtype() == kBool) {
    binary_typed<bool>(op, out, a, b);
  } else {
    dispatch_numeric(a.dtype(), "binary", [&]<typename T>() { binary_typed<T>(op, out, a, b); });
  }
}

// out = cond ? a : b
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  dispatch_all(a.dtype(), "where", [&]<typename T>() { where_typed<T>(out, cond, a, b); });
}

// out = min(max(x, lo), hi), NaN stays NaN
void clamp(const Tensor& out, const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  dispatch_numeric(x.dtype(), "clamp", [&]<typename T>() { clamp_typed<T>(out, x, lo, hi); });
}

// Both on the GPU (cuda/copy.cu); converts the dtype.
void copy_on_device(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), "copy", [&]<typename To>() {
    dispatch_all(src.dtype(), "copy", [&]<typename From>() { copy_typed<To, From>(dst, src); });
  });
}

// dst = value
void fill(const Tensor& dst, double value) {
  dispatch_all(dst.dtype(), "fill", [&]<typename T>() { fill_typed<T>(dst, value); });
}

}  // namespace dgm::cuda
