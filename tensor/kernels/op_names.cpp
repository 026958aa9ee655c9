// The kernels' op enums named as PyTorch names the ops (torch.exp,
// torch.amax, ...): what the profiler's table shows (tensor/profiler.h).
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/reduce.h"

namespace dgm::kernels {

const char* op_name(Unary op) {
  switch (op) {
    case Unary::Neg:
      return "neg";
    case Unary::Exp:
      return "exp";
    case Unary::Log:
      return "log";
    case Unary::Log1p:
      return "log1p";
    case Unary::Expm1:
      return "expm1";
    case Unary::Sqrt:
      return "sqrt";
    case Unary::Rsqrt:
      return "rsqrt";
    case Unary::Abs:
      return "abs";
    case Unary::Sign:
      return "sign";
    case Unary::Sin:
      return "sin";
    case Unary::Cos:
      return "cos";
    case Unary::Tanh:
      return "tanh";
    case Unary::Sigmoid:
      return "sigmoid";
    case Unary::Relu:
      return "relu";
    case Unary::Floor:
      return "floor";
    case Unary::Round:
      return "round";
    case Unary::Erf:
      return "erf";
    case Unary::Softplus:
      return "softplus";
    case Unary::Elu:
      return "elu";
    case Unary::LogicalNot:
      return "logical_not";
  }
  return "unary";
}

const char* op_name(Binary op) {
  switch (op) {
    case Binary::Add:
      return "add";
    case Binary::Sub:
      return "sub";
    case Binary::Mul:
      return "mul";
    case Binary::Div:
      return "div";
    case Binary::Pow:
      return "pow";
    case Binary::Minimum:
      return "minimum";
    case Binary::Maximum:
      return "maximum";
    case Binary::Eq:
      return "eq";
    case Binary::Ne:
      return "ne";
    case Binary::Lt:
      return "lt";
    case Binary::Le:
      return "le";
    case Binary::Gt:
      return "gt";
    case Binary::Ge:
      return "ge";
    case Binary::LogicalAnd:
      return "logical_and";
    case Binary::LogicalOr:
      return "logical_or";
  }
  return "binary";
}

const char* op_name(Reduce op) {
  switch (op) {
    case Reduce::Sum:
      return "sum";
    case Reduce::Prod:
      return "prod";
    case Reduce::Max:
      return "amax";
    case Reduce::Min:
      return "amin";
  }
  return "reduce";
}

const char* op_name(ArgReduce op) { return op == ArgReduce::Max ? "max_dim" : "min_dim"; }

const char* op_name(Scan op) { return op == Scan::Sum ? "cumsum" : "cumprod"; }

}  // namespace dgm::kernels
