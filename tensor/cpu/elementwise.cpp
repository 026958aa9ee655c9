// CPU elementwise kernels: each op is a lambda on one number, run by
// for_each_strided over any strides.
#include <cmath>
#include <type_traits>

#include "tensor/backend/backend.h"
#include "tensor/cpu/loops.h"
#include "tensor/scalar_math.h"

namespace dgm::cpu {
using kernels::Binary;
using kernels::Unary;

namespace {

// out[i] = f(x[i])
template <typename In, typename Out, typename F>
void map1(const Tensor& out, const Tensor& x, F f) {
  Out* po = static_cast<Out*>(out.raw_data());
  const In* px = static_cast<const In*>(x.raw_data());
  for_each_strided<2>(out.shape(), {&out.strides(), &x.strides()}, [&](Offsets<2> off, int64_t n, Offsets<2> st) {
    Out* o = po + off[0];
    const In* a = px + off[1];
    if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(a[i * st[1]]);
    }
  });
}

// out[i] = f(a[i], b[i])
template <typename In, typename Out, typename F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  Out* po = static_cast<Out*>(out.raw_data());
  const In* pa = static_cast<const In*>(a.raw_data());
  const In* pb = static_cast<const In*>(b.raw_data());
  for_each_strided<3>(out.shape(), {&out.strides(), &a.strides(), &b.strides()},
                      [&](Offsets<3> off, int64_t n, Offsets<3> st) {
                        Out* o = po + off[0];
                        const In* x = pa + off[1];
                        const In* y = pb + off[2];
                        if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
                          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
                        } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {  // tensor op scalar
                          const In v = y[0];
                          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], v);
                        } else {
                          for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
                        }
                      });
}

template <typename T>
void unary_typed(Unary op, const Tensor& out, const Tensor& x, double p0, double p1) {
  using std::abs;
  switch (op) {
    case Unary::Neg:
      return map1<T, T>(out, x, [](T v) { return -v; });
    case Unary::Abs:
      return map1<T, T>(out, x, [](T v) { return v < 0 ? -v : v; });
    case Unary::Sign:
      return map1<T, T>(out, x, [](T v) { return scalar::sign(v); });
    case Unary::Relu:
      return map1<T, T>(out, x, [](T v) { return (v > 0 || v != v) ? v : T(0); });  // NaN stays NaN
    default:
      break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Unary::Exp:
        return map1<T, T>(out, x, [](T v) { return std::exp(v); });
      case Unary::Log:
        return map1<T, T>(out, x, [](T v) { return std::log(v); });
      case Unary::Log1p:
        return map1<T, T>(out, x, [](T v) { return std::log1p(v); });
      case Unary::Expm1:
        return map1<T, T>(out, x, [](T v) { return std::expm1(v); });
      case Unary::Sqrt:
        return map1<T, T>(out, x, [](T v) { return std::sqrt(v); });
      case Unary::Rsqrt:
        return map1<T, T>(out, x, [](T v) { return T(1) / std::sqrt(v); });
      case Unary::Sin:
        return map1<T, T>(out, x, [](T v) { return std::sin(v); });
      case Unary::Cos:
        return map1<T, T>(out, x, [](T v) { return std::cos(v); });
      case Unary::Tanh:
        return map1<T, T>(out, x, [](T v) { return std::tanh(v); });
      case Unary::Sigmoid:
        return map1<T, T>(out, x, [](T v) { return scalar::sigmoid(v); });
      case Unary::Floor:
        return map1<T, T>(out, x, [](T v) { return std::floor(v); });
      case Unary::Round:
        return map1<T, T>(out, x, [](T v) { return scalar::round_half_even(v); });
      case Unary::Erf:
        return map1<T, T>(out, x, [](T v) { return std::erf(v); });
      case Unary::Softplus: {
        T beta = T(p0), threshold = T(p1);
        return map1<T, T>(out, x, [=](T v) { return scalar::softplus(v, beta, threshold); });
      }
      case Unary::Elu: {
        const T alpha = T(p0);
        return map1<T, T>(out, x, [=](T v) { return scalar::elu(v, alpha); });
      }
      default:
        break;
    }
  } else if (op == Unary::Floor || op == Unary::Round) {
    return map1<T, T>(out, x, [](T v) { return v; });
  }
  DGM_FAIL("unary op ", static_cast<int>(op), ": not defined for dtype ", dtype_name(x.dtype()));
}

template <typename T>
void binary_typed(Binary op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    case Binary::Add:
      return map2<T, T>(out, a, b, [](T x, T y) { return T(x + y); });
    case Binary::Sub:
      return map2<T, T>(out, a, b, [](T x, T y) { return T(x - y); });
    case Binary::Mul:
      return map2<T, T>(out, a, b, [](T x, T y) { return T(x * y); });
    case Binary::Div:
      if constexpr (std::is_integral_v<T>)
        DGM_FAIL("div: integer division is not supported; convert to float");
      else
        return map2<T, T>(out, a, b, [](T x, T y) { return x / y; });
    case Binary::Pow:
      return map2<T, T>(out, a, b, [](T x, T y) { return scalar::power(x, y); });
    // NaN propagates, as in torch.minimum/maximum
    case Binary::Minimum:
      return map2<T, T>(out, a, b, [](T x, T y) { return (x < y || x != x) ? x : y; });
    case Binary::Maximum:
      return map2<T, T>(out, a, b, [](T x, T y) { return (x > y || x != x) ? x : y; });
    case Binary::Eq:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x == y; });
    case Binary::Ne:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x != y; });
    case Binary::Lt:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x < y; });
    case Binary::Le:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x <= y; });
    case Binary::Gt:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x > y; });
    case Binary::Ge:
      return map2<T, bool>(out, a, b, [](T x, T y) { return x >= y; });
    case Binary::LogicalAnd:
      return map2<T, bool>(out, a, b, [](T x, T y) { return bool(x) && bool(y); });
    case Binary::LogicalOr:
      return map2<T, bool>(out, a, b, [](T x, T y) { return bool(x) || bool(y); });
  }
}

}  // namespace

// out = op(x)
void unary(Unary op, const Tensor& out, const Tensor& x, double p0, double p1) {
  if (op == Unary::LogicalNot) {
    dispatch_all(x.dtype(), "logical_not", [&]<typename T>() { map1<T, bool>(out, x, [](T v) { return !v; }); });
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
  const bool* pc = cond.data_ptr<bool>();
  dispatch_all(a.dtype(), "where", [&]<typename T>() {
    T* po = out.data_ptr<T>();
    const T* pa = a.data_ptr<T>();
    const T* pb = b.data_ptr<T>();
    for_each_strided<4>(out.shape(), {&out.strides(), &cond.strides(), &a.strides(), &b.strides()},
                        [&](Offsets<4> off, int64_t n, Offsets<4> st) {
                          if (st[0] == 1 && st[1] == 1) {  // contiguous output and condition
                            T* o = po + off[0];
                            const bool* c = pc + off[1];
                            const T* x = pa + off[2];
                            const T* y = pb + off[3];
                            const int64_t sx = st[2], sy = st[3];  // 1, or 0 for a scalar
                            // Both values loaded, then selected: no branch on the condition (a random
                            // mask, as relu's and elu's backward see, would mispredict half of them), and
                            // with fixed strides the loop vectorizes.
                            auto select = [&](auto step_x, auto step_y) {
                              for (int64_t i = 0; i < n; ++i) {
                                const T xi = x[i * step_x], yi = y[i * step_y];
                                o[i] = c[i] ? xi : yi;
                              }
                            };
                            using One = std::integral_constant<int64_t, 1>;
                            using Zero = std::integral_constant<int64_t, 0>;
                            if (sx == 1 && sy == 1) return select(One{}, One{});
                            if (sx == 1 && sy == 0) return select(One{}, Zero{});
                            if (sx == 0 && sy == 1) return select(Zero{}, One{});
                            return select(sx, sy);
                          }
                          for (int64_t i = 0; i < n; ++i)
                            po[off[0] + i * st[0]] =
                                pc[off[1] + i * st[1]] ? pa[off[2] + i * st[2]] : pb[off[3] + i * st[3]];
                        });
  });
}

// out = min(max(x, lo), hi), NaN stays NaN
void clamp(const Tensor& out, const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  dispatch_numeric(x.dtype(), "clamp", [&]<typename T>() {
    const bool has_lo = lo.has_value(), has_hi = hi.has_value();
    const T l = has_lo ? T(*lo) : T(0), h = has_hi ? T(*hi) : T(0);
    map1<T, T>(out, x, [=](T v) {
      if (v != v) return v;  // NaN stays NaN
      if (has_lo && v < l) v = l;
      if (has_hi && v > h) v = h;
      return v;
    });
  });
}

// dst[i] = To(src[i])
void copy(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), "copy", [&]<typename To>() {
    dispatch_all(src.dtype(), "copy",
                 [&]<typename From>() { map1<From, To>(dst, src, [](From v) { return static_cast<To>(v); }); });
  });
}

// dst[i] = value
void fill(const Tensor& dst, double value) {
  dispatch_all(dst.dtype(), "fill", [&]<typename T>() {
    T v = static_cast<T>(value);
    T* p = static_cast<T*>(dst.raw_data());
    for_each_strided<1>(dst.shape(), {&dst.strides()}, [&](Offsets<1> off, int64_t n, Offsets<1> st) {
      for (int64_t i = 0; i < n; ++i) p[off[0] + i * st[0]] = v;
    });
  });
}

}  // namespace dgm::cpu
