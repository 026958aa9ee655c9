// The index kernels' front door: checks, the output, then the backend.
// index_select and index_add_ are gather and scatter with a 1-D index viewed
// along `dim`, so the backends implement only those two.
#include "tensor/kernels/index.h"

#include "tensor/backend/dispatch.h"

namespace dgm::kernels {
namespace {

void check_int64(const char* op, const Tensor& index) {
  DGM_CHECK(index.dtype() == kInt64, op, ": index must be an int64 tensor, got ", dtype_name(index.dtype()),
            " of shape ", shape_str(index.shape()));
}

// A view of a 1-D (or 0-D) index as a tensor of shape `like`, varying only along dim.
Tensor expand_index(const Tensor& index, const Shape& like, int64_t dim) {
  Shape strides(like.size(), 0);
  strides[dim] = index.dim() == 0 ? 0 : index.stride(0);
  return make_view(index, like, strides, index.storage_offset());
}

}  // namespace

void check_index_range(const char* op, const Tensor& index, int64_t dim, int64_t size, bool allow_negative) {
  check_int64(op, index);
  const std::optional<int64_t> bad =
      DGM_BACKEND(index.device(), first_out_of_range(index, allow_negative ? -size : 0, size));
  if (bad) DGM_FAIL(op, ": index ", *bad, " is out of bounds for dim ", dim, " with size ", size);
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const Device device = backend::one_device("gather", {&x, &index}, {"input", "index"});
  check_int64("gather", index);
  Tensor out = empty(index.shape(), x.dtype(), device);
  if (out.numel() > 0) DGM_BACKEND(device, gather(out, x, dim, index));
  return out;
}

void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  const Device device = backend::one_device("scatter", {&dst, &index, &src}, {"self", "index", "src"});
  check_int64("scatter", index);
  DGM_CHECK(dst.dtype() == src.dtype(), "scatter kernel: dst and src dtypes differ (", dtype_name(dst.dtype()), ", ",
            dtype_name(src.dtype()), ")");
  dst.bump_version();  // a write into an existing tensor (autograd/engine.cpp checks saved versions)
  if (index.numel() > 0) DGM_BACKEND(device, scatter_(dst, dim, index, src, accumulate));
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  backend::one_device("index_select", {&x, &index}, {"input", "index"});
  DGM_CHECK(x.dim() > 0, "index_select: expected a tensor with at least one dim, got a 0-D tensor");
  Shape s = x.shape();
  s[dim] = index.numel();
  return gather(x, dim, expand_index(index, s, dim));
}

void index_add_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src) {
  backend::one_device("index_add", {&dst, &index, &src}, {"self", "index", "src"});
  if (src.dim() == 0) {  // 0-D self and src: one slot, as a 1-element 1-D tensor
    const Shape one{1};
    return index_add_(make_view(dst, one, one, dst.storage_offset()), 0, index,
                      make_view(src, one, one, src.storage_offset()));
  }
  scatter_(dst, dim, expand_index(index, src.shape(), dim), src, /*accumulate=*/true);
}

}  // namespace dgm::kernels
