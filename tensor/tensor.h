// Tensor: a strided view of a Storage, plus what autograd needs to know.
//
// shape, strides (in elements) and offset say where element (i0, i1, ...) is:
//   storage[offset + i0*strides[0] + i1*strides[1] + ...]
// Views (view, permute, slice, expand, ...) make a new TensorImpl over the same
// Storage with other shape/strides/offset; nothing is copied. contiguous()
// copies only when the strides are not the row-major ones.
//
// Tensor is a cheap handle (a shared_ptr): copying a Tensor shares the data,
// as in libtorch. Methods are declared here; each is defined next to its op
// family (autograd/ops/*.cpp), where its gradient lives too.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <tuple>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace dgm {

namespace autograd {
struct Node;
// The name of the op that made a tensor ("mul"), for printing grad_fn; defined
// in autograd/node.cpp so that tensor/ needs no autograd header.
const char* node_name(const Node& node);
}  // namespace autograd
class Tensor;
struct TensorIndex;
class Generator;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;
  int64_t offset = 0;
  DType dtype = kFloat32;

  // Autograd. A leaf that requires grad collects its gradient in `grad`;
  // a tensor made by a differentiable op remembers the op in `grad_fn`.
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata ----
  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const { return checked().shape; }
  const Shape& shape() const { return checked().shape; }
  int64_t size(int64_t dim) const;
  const Shape& strides() const { return checked().strides; }
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const { return checked().offset; }
  int64_t dim() const { return static_cast<int64_t>(checked().shape.size()); }
  int64_t numel() const { return numel_of(checked().shape); }
  DType dtype() const { return checked().dtype; }
  DType scalar_type() const { return checked().dtype; }
  Device device() const { return checked().storage->device; }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_floating_point() const { return is_floating(dtype()); }
  bool is_contiguous() const;
  size_t element_size() const { return dgm::element_size(dtype()); }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // Pointer to element (0,0,...): data_ptr<float>()[offset along strides].
  template <typename T>
  T* data_ptr() const {
    DGM_CHECK(dtype_of<T>() == dtype(), "data_ptr: tensor has dtype ", dtype_name(dtype()), ", asked for ",
              dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw_data());
  }
  void* raw_data() const;
  // The single value of a one-element tensor (copied to the CPU if needed).
  template <typename T>
  T item() const;
  double item() const { return item<double>(); }
  // All elements in row-major order (copied to the CPU if needed).
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- autograd (tensor/tensor.cpp: the state; autograd/engine.cpp: backward) ----
  bool requires_grad() const { return checked().requires_grad; }
  Tensor& requires_grad_(bool requires_grad = true);
  Tensor grad() const;                   // undefined Tensor when no gradient was accumulated
  void set_grad(const Tensor& g) const;  // set or reset (pass Tensor()) the accumulated gradient
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  std::shared_ptr<autograd::Node> grad_fn() const { return checked().grad_fn; }
  void retain_grad();
  // autograd::backward({*this}, {gradient}, ...): defined in autograd/engine.cpp, next to the engine
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;
  Tensor detach() const;  // same data, cut from the graph
  // In-place writes into this tensor's storage so far, shared by all its views
  // (torch's x._version); bump_version() is called by the kernel front doors
  // that write into an existing tensor (tensor/kernels/), nowhere else.
  uint64_t _version() const { return checked().storage->version.load(std::memory_order_relaxed); }
  void bump_version() const { checked().storage->version.fetch_add(1, std::memory_order_relaxed); }

  // ---- conversion ----
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  Tensor cpu() const { return to(Device(kCPU)); }
  Tensor cuda() const { return to(Device(kCUDA)); }
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- views (autograd/ops/view_ops.cpp) ----
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor as_strided(const Shape& shape, const Shape& strides, int64_t offset) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;   // transpose of a matrix (<= 2 dims)
  Tensor mT() const;  // transpose of the last two dims
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt, std::optional<int64_t> end = std::nullopt,
               int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;  // -1 keeps a size
  Tensor expand_as(const Tensor& other) const { return expand(other.shape()); }
  Tensor broadcast_to(const Shape& shape) const { return expand(shape); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, const Shape& sizes) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(const std::vector<int64_t>& split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  // x.index({Slice(), Slice(None, None, 2), 0, idx}) as x[:, ::2, 0, idx] in Python.
  Tensor index(std::initializer_list<TensorIndex> indices) const;
  Tensor index(const std::vector<TensorIndex>& indices) const;

  // ---- elementwise (autograd/ops/elementwise.cpp) ----
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor square() const;
  Tensor reciprocal() const;
  Tensor abs() const;
  Tensor sign() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor floor() const;
  Tensor round() const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(double exponent) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor clamp_min(double min) const { return clamp(min, std::nullopt); }
  Tensor clamp_max(double max) const { return clamp(std::nullopt, max); }
  Tensor add(const Tensor& other, double alpha = 1) const;
  Tensor sub(const Tensor& other, double alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(double other) const;
  Tensor ne(double other) const;
  Tensor lt(double other) const;
  Tensor le(double other) const;
  Tensor gt(double other) const;
  Tensor ge(double other) const;
  Tensor logical_not() const;
  Tensor masked_fill(const Tensor& mask, double value) const;

  // ---- reductions (autograd/ops/reduction.cpp); empty dims = all dims ----
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor var(const std::vector<int64_t>& dims = {}, bool unbiased = true, bool keepdim = false) const;
  Tensor std(const std::vector<int64_t>& dims = {}, bool unbiased = true, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;  // values, indices
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(const std::vector<int64_t>& dims = {}, bool keepdim = false) const;
  Tensor amin(const std::vector<int64_t>& dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor logsumexp(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor cumsum(int64_t dim) const;
  Tensor cumprod(int64_t dim) const;
  Tensor norm(double p = 2, const std::vector<int64_t>& dims = {}, bool keepdim = false) const;
  Tensor all() const;
  Tensor any() const;

  // ---- linear algebra (autograd/ops/linalg.cpp) ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;

  // ---- shape and index (autograd/ops/shape_ops.cpp, index_ops.cpp) ----
  Tensor repeat(const Shape& repeats) const;
  Tensor flip(const std::vector<int64_t>& dims) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor tril(int64_t diagonal = 0) const;

  // ---- in-place, outside the graph (autograd/ops/inplace_ops.cpp) ----
  // Allowed on tensors that do not require grad, or under NoGradGuard
  // (optimizer steps, weight clipping, initialization).
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);  // src broadcast to this shape, any dtype/device
  Tensor& add_(const Tensor& other, double alpha = 1);
  Tensor& add_(double value);
  Tensor& sub_(const Tensor& other, double alpha = 1) { return add_(other, -alpha); }
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double value);
  Tensor& div_(const Tensor& other);
  Tensor& div_(double value) { return mul_(1.0 / value); }
  Tensor& clamp_(std::optional<double> min, std::optional<double> max);
  Tensor& masked_fill_(const Tensor& mask, double value);
  // Random fills (tensor/random.cpp); floating point tensors only.
  Tensor& uniform_(double from = 0, double to = 1, Generator* gen = nullptr);
  Tensor& normal_(double mean = 0, double std = 1, Generator* gen = nullptr);

 private:
  // *impl_, or a dgm::Error for an undefined tensor (Tensor(), or the grad()
  // of a tensor that received no gradient) instead of a null dereference.
  TensorImpl& checked() const {
    if (!impl_) throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();

  std::shared_ptr<TensorImpl> impl_;
};

// Python-style indexing helpers: Slice(start, stop, step) with None for a default.
constexpr std::nullopt_t None = std::nullopt;
struct Slice {
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  Slice(std::optional<int64_t> start_ = None, std::optional<int64_t> stop_ = None, int64_t step_ = 1)
      : start(start_), stop(stop_), step(step_) {}
};
struct TensorIndex {
  enum class Kind { Integer, Slice, None, Tensor } kind;
  int64_t integer = 0;
  dgm::Slice slice;
  dgm::Tensor tensor;
  TensorIndex(int64_t i) : kind(Kind::Integer), integer(i) {}               // NOLINT
  TensorIndex(int i) : kind(Kind::Integer), integer(i) {}                   // NOLINT
  TensorIndex(dgm::Slice s) : kind(Kind::Slice), slice(s) {}                // NOLINT
  TensorIndex(std::nullopt_t) : kind(Kind::None) {}                         // NOLINT: adds a dim
  TensorIndex(dgm::Tensor t) : kind(Kind::Tensor), tensor(std::move(t)) {}  // NOLINT
};

// Operators: broadcast like NumPy; a double operand takes the tensor's dtype.
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);
// Comparisons give bool tensors, as in libtorch (x > 128 binarizes). == and !=
// are left out so that they never read as "same tensor"; use eq() / ne().
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor& operator+=(Tensor& a, const Tensor& b);  // a = a + b (a new tensor, recorded by autograd)
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);

// Printing like PyTorch: tensor([[1.0000, 2.0000], ...], dtype=float64, requires_grad=True)
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

// ---- internal helpers used by op implementations ----
// A fresh, uninitialized contiguous tensor.
Tensor empty(const Shape& shape, DType dtype = kFloat32, Device device = Device());
// A new TensorImpl over the same storage with the given geometry (no autograd).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset);

}  // namespace dgm
