// Element types. float32 is the default; float64 serves gradcheck and numerics;
// int64 holds indices and labels; bool holds masks and comparison results.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tensor/error.h"

namespace dgm {

enum class DType : int8_t { Bool, Int64, Float32, Float64 };

constexpr DType kBool = DType::Bool;
constexpr DType kInt64 = DType::Int64;
constexpr DType kLong = DType::Int64;
constexpr DType kFloat32 = DType::Float32;
constexpr DType kFloat = DType::Float32;
constexpr DType kFloat64 = DType::Float64;
constexpr DType kDouble = DType::Float64;

inline size_t element_size(DType t) {
  switch (t) {
    case kBool:
      return 1;
    case kInt64:
      return 8;
    case kFloat32:
      return 4;
    case kFloat64:
      return 8;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case kBool:
      return "bool";
    case kInt64:
      return "int64";
    case kFloat32:
      return "float32";
    case kFloat64:
      return "float64";
  }
  return "?";
}

inline bool is_floating(DType t) { return t == kFloat32 || t == kFloat64; }

// PyTorch's promotion for tensor-tensor ops: bool < int64 < float32 < float64.
inline DType promote_types(DType a, DType b) { return static_cast<int8_t>(a) > static_cast<int8_t>(b) ? a : b; }

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<bool>() {
  return kBool;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return kInt64;
}
template <>
constexpr DType dtype_of<float>() {
  return kFloat32;
}
template <>
constexpr DType dtype_of<double>() {
  return kFloat64;
}

// Calls fn.template operator()<T>() with T the C++ type of `t`:
//   dispatch_floating(x.dtype(), "exp", [&]<typename T>() { ... });
template <typename Fn>
decltype(auto) dispatch_floating(DType t, const char* op, Fn&& fn) {
  switch (t) {
    case kFloat32:
      return fn.template operator()<float>();
    case kFloat64:
      return fn.template operator()<double>();
    default:
      DGM_FAIL(op, ": expected a floating point tensor (float32 or float64), got ", dtype_name(t));
  }
}

// Numbers: int64, float32, float64 (not bool).
template <typename Fn>
decltype(auto) dispatch_numeric(DType t, const char* op, Fn&& fn) {
  switch (t) {
    case kInt64:
      return fn.template operator()<int64_t>();
    case kFloat32:
      return fn.template operator()<float>();
    case kFloat64:
      return fn.template operator()<double>();
    default:
      DGM_FAIL(op, ": expected a numeric tensor, got ", dtype_name(t));
  }
}

template <typename Fn>
decltype(auto) dispatch_all(DType t, const char* /*op*/, Fn&& fn) {
  switch (t) {
    case kBool:
      return fn.template operator()<bool>();
    case kInt64:
      return fn.template operator()<int64_t>();
    case kFloat32:
      return fn.template operator()<float>();
    case kFloat64:
      break;
  }
  return fn.template operator()<double>();
}

}  // namespace dgm
