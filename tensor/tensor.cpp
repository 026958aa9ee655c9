// Tensor basics: geometry, raw data access, and the autograd fields kept on
// the tensor itself (requires_grad, grad, retain_grad). Nothing here needs the
// engine or grad mode; the in-place ops, which check grad mode, are in
// autograd/ops/inplace_ops.cpp.
#include "tensor/tensor.h"

#include <cstring>

#include "tensor/allocator.h"
#include "tensor/factories.h"

namespace dgm {

void Tensor::throw_undefined() {
  DGM_FAIL(
      "this tensor is undefined: it holds no data (a default-constructed Tensor(), or the grad() of a "
      "tensor that received no gradient)");
}

int64_t Tensor::size(int64_t d) const { return checked().shape[wrap_dim("size", d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return checked().strides[wrap_dim("stride", d, dim())]; }

bool Tensor::is_contiguous() const {
  const TensorImpl& t = checked();
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (t.shape[d] == 1) continue;
    if (t.strides[d] != expected) return false;
    expected *= t.shape[d];
  }
  return true;
}

void* Tensor::raw_data() const {
  const TensorImpl& t = checked();
  return static_cast<char*>(t.storage->data) + t.offset * static_cast<int64_t>(element_size());
}

template <typename T>
T Tensor::item() const {
  DGM_CHECK(numel() == 1, "item: only one-element tensors can be converted to a number, got shape ",
            shape_str(shape()));
  Tensor c = cpu();
  return dispatch_all(dtype(), "item", [&]<typename S>() { return static_cast<T>(*static_cast<S*>(c.raw_data())); });
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;
template int Tensor::item<int>() const;

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = detach().cpu().to(dtype_of<T>()).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template <>
std::vector<bool> Tensor::to_vector<bool>() const {
  Tensor c = detach().cpu().to(kBool).contiguous();
  const bool* p = c.data_ptr<bool>();
  return std::vector<bool>(p, p + c.numel());
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  const int64_t nbytes = checked_nbytes("empty", shape, static_cast<int64_t>(dgm::element_size(dtype)));
  auto impl = std::make_shared<TensorImpl>();
  try {
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(nbytes), device);
  } catch (const OutOfMemoryError& e) {
    // The CUDA allocator's message adds what the GPU has free; the CPU's has nothing to add.
    DGM_FAIL("out of memory allocating ", nbytes, " bytes for a ", dtype_name(dtype), " tensor of shape ",
             shape_str(shape), " on ", device.str(), device.is_cpu() ? "" : std::string(" (") + e.what() + ")");
  }
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  checked_numel("view", shape);  // views (reshape, expand, ...) of caller shapes: no size overflows int64
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

// ---- autograd state on the tensor itself ----

Tensor& Tensor::requires_grad_(bool r) {
  DGM_CHECK(!r || is_floating_point(), "requires_grad_: only floating point tensors can require grad, got ",
            dtype_name(dtype()));
  DGM_CHECK(is_leaf() || r, "requires_grad_: a non-leaf tensor always requires grad; use detach()");
  checked().requires_grad = r;
  return *this;
}

Tensor Tensor::grad() const {
  const TensorImpl& t = checked();
  return t.grad ? Tensor(t.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) const {
  DGM_CHECK(!g.defined() || g.shape() == shape(), "set_grad: gradient of shape ",
            g.defined() ? shape_str(g.shape()) : "", " for a tensor of shape ", shape_str(shape()));
  checked().grad = g.impl_ptr();
}

void Tensor::retain_grad() {
  DGM_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  if (!is_leaf()) checked().retains_grad = true;
}

Tensor Tensor::detach() const { return make_view(*this, shape(), strides(), storage_offset()); }

}  // namespace dgm
