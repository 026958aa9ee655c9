// Elementwise kernels (no autograd). Inputs may be any strided views, broadcast
// ones included, but must already have the output's shape and dtype: the op
// front ends (autograd/ops/) broadcast and promote first. Outputs are fresh
// contiguous tensors.
#pragma once
#include <optional>

#include "tensor/tensor.h"

namespace dgm::kernels {

enum class Unary {
  Neg,
  Exp,
  Log,
  Log1p,
  Expm1,
  Sqrt,
  Rsqrt,
  Abs,
  Sign,
  Sin,
  Cos,
  Tanh,
  Sigmoid,
  Relu,
  Floor,
  Round,
  Erf,
  Softplus,    // param0 = beta, param1 = threshold
  Elu,         // param0 = alpha
  LogicalNot,  // bool -> bool
};
Tensor unary(Unary op, const Tensor& x, double param0 = 0, double param1 = 0);
// PyTorch's name of the op ("exp", "logical_not"), as the profiler shows it.
const char* op_name(Unary op);

enum class Binary {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Minimum,
  Maximum,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,  // -> bool
  LogicalAnd,
  LogicalOr,  // bool, bool -> bool
};
Tensor binary(Binary op, const Tensor& a, const Tensor& b);
// PyTorch's name of the op ("add", "ge"), as the profiler shows it.
const char* op_name(Binary op);

// cond ? a : b, with cond bool.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

// dst[...] = src[...], converting dtype; src already has dst's shape.
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);
// A fresh contiguous copy of x, converted to `dtype` (x's own dtype by default).
Tensor copy_to_new(const Tensor& x, std::optional<DType> dtype = std::nullopt);

}  // namespace dgm::kernels
