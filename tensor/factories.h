// Creating tensors: zeros, ones, full, arange, linspace, eye, *_like, and from
// C++ data. Options follow libtorch: dgm::zeros({3,4}, dgm::kFloat64) or
// dgm::zeros({3,4}, TensorOptions().dtype(kFloat64).requires_grad(true)).
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm {

struct TensorOptions {
  DType dtype_ = kFloat32;
  Device device_;
  bool requires_grad_ = false;
  TensorOptions() = default;
  TensorOptions(DType d) : dtype_(d) {}        // NOLINT: implicit, as in libtorch
  TensorOptions(Device d) : device_(d) {}      // NOLINT
  TensorOptions(DeviceType d) : device_(d) {}  // NOLINT
  TensorOptions dtype(DType d) const {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions device(Device d) const {
    auto o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r = true) const {
    auto o = *this;
    o.requires_grad_ = r;
    return o;
  }
};

Tensor empty(const Shape& shape, TensorOptions options);
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor scalar_tensor(double value, TensorOptions options = {});  // 0-dim
// [start, end) in steps; int64 when all arguments are integers unless options say otherwise.
Tensor arange(double end, TensorOptions options = kInt64);
Tensor arange(double start, double end, double step = 1, TensorOptions options = kInt64);
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, TensorOptions options = {});
Tensor eye(int64_t n, int64_t m, TensorOptions options = {});

Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor zeros_like(const Tensor& t, TensorOptions options);
Tensor ones_like(const Tensor& t, TensorOptions options);

// Copies C++ data into a new tensor of the given shape (default: 1-D).
Tensor tensor(const std::vector<float>& values, const Shape& shape = {}, TensorOptions options = kFloat32);
Tensor tensor(const std::vector<double>& values, const Shape& shape = {}, TensorOptions options = kFloat64);
Tensor tensor(const std::vector<int64_t>& values, const Shape& shape = {}, TensorOptions options = kInt64);
Tensor tensor(const std::vector<bool>& values, const Shape& shape = {}, TensorOptions options = kBool);
// Copies `numel(shape)` elements of type `dtype` from a buffer.
Tensor from_blob(const void* data, const Shape& shape, DType dtype);

}  // namespace dgm
