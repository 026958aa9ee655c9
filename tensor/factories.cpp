#include "tensor/factories.h"

#include <cmath>
#include <cstring>

#include "tensor/kernels/elementwise.h"

namespace dgm {
namespace {
Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.device_.is_cuda()) t = t.to(o.device_);
  if (o.requires_grad_) t.requires_grad_(true);
  return t;
}
// Fill a fresh CPU tensor element by element: f(i) for flat index i.
template <typename F>
Tensor generate(const Shape& shape, const TensorOptions& o, F f) {
  Tensor t = empty(shape, o.dtype_, Device());
  dispatch_all(o.dtype_, "factory", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(f(i));
  });
  return finish(t, o);
}
}  // namespace

Tensor empty(const Shape& shape, TensorOptions o) {
  Tensor t = empty(shape, o.dtype_, o.device_);
  if (o.requires_grad_) t.requires_grad_(true);
  return t;
}

Tensor full(const Shape& shape, double value, TensorOptions o) {
  Tensor t = empty(shape, o.dtype_, o.device_);  // filled where it lives: no copy
  kernels::fill(t, value);
  if (o.requires_grad_) t.requires_grad_(true);
  return t;
}
Tensor zeros(const Shape& shape, TensorOptions o) { return full(shape, 0, o); }
Tensor ones(const Shape& shape, TensorOptions o) { return full(shape, 1, o); }
Tensor scalar_tensor(double value, TensorOptions o) { return full({}, value, o); }

Tensor arange(double end, TensorOptions o) { return arange(0, end, 1, o); }
Tensor arange(double start, double end, double step, TensorOptions o) {
  DGM_CHECK(step != 0, "arange: step must be nonzero");
  // int64 (the default) only for integer arguments, as torch.arange: a fractional
  // start, end or step gives float32.
  const bool integral = start == std::floor(start) && end == std::floor(end) && step == std::floor(step);
  if (o.dtype_ == kInt64 && !integral) o.dtype_ = kFloat32;
  DGM_CHECK((end - start) / step >= 0, "arange: the range [", start, ", ", end,
            ") is empty or the wrong way round for step ", step);
  const double count = std::ceil((end - start) / step);
  // 2^63 as a double: the first count that does not convert to int64 (NaN fails too).
  DGM_CHECK(count < 9223372036854775808.0, "arange: the range [", start, ", ", end, ") in steps of ", step,
            " has too many elements (", count, ")");
  int64_t n = static_cast<int64_t>(count);
  return generate({n}, o, [&](int64_t i) { return start + static_cast<double>(i) * step; });
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions o) {
  DGM_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0;
  // Like PyTorch, fill the second half from the end so that both endpoints are exact.
  return generate({steps}, o, [&](int64_t i) {
    if (steps == 1) return start;  // torch.linspace(a, b, 1) == [a]
    return i < steps / 2 ? start + step * static_cast<double>(i) : end - step * static_cast<double>(steps - 1 - i);
  });
}

Tensor eye(int64_t n, TensorOptions o) { return eye(n, n, o); }
Tensor eye(int64_t n, int64_t m, TensorOptions o) {
  return generate({n, m}, o, [&](int64_t i) { return i / m == i % m ? 1.0 : 0.0; });
}

Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros_like(t, TensorOptions(t.dtype()).device(t.device())); }
Tensor ones_like(const Tensor& t) { return ones_like(t, TensorOptions(t.dtype()).device(t.device())); }
Tensor full_like(const Tensor& t, double v) { return full(t.shape(), v, TensorOptions(t.dtype()).device(t.device())); }
Tensor zeros_like(const Tensor& t, TensorOptions o) { return zeros(t.shape(), o); }
Tensor ones_like(const Tensor& t, TensorOptions o) { return ones(t.shape(), o); }

namespace {
template <typename T>
Tensor from_values(const std::vector<T>& values, const Shape& shape, TensorOptions o) {
  Shape s = shape.empty() ? Shape{static_cast<int64_t>(values.size())} : shape;
  DGM_CHECK(checked_numel("tensor", s) == static_cast<int64_t>(values.size()), "tensor: ", values.size(),
            " values do not fill shape ", shape_str(s));
  return generate(s, o, [&](int64_t i) { return values[i]; });
}
}  // namespace

Tensor tensor(const std::vector<float>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor tensor(const std::vector<double>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor tensor(const std::vector<int64_t>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor tensor(const std::vector<bool>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }

Tensor from_blob(const void* data, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype, Device());
  std::memcpy(t.raw_data(), data, static_cast<size_t>(t.numel()) * element_size(dtype));
  return t;
}

}  // namespace dgm
