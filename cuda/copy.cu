// Copies that cross between host and device memory.
//
// cudaMemcpy moves plain bytes, so the strided, dtype-converting part of a
// copy happens on one side: host -> device converts and packs on the CPU,
// sends the bytes, then scatters them into dst's strides on the GPU; device ->
// host packs on the GPU, sends, and unpacks on the CPU.
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"
#include "tensor/kernels/elementwise.h"

namespace dgm::cuda {

void copy_on_device(const Tensor& dst, const Tensor& src);  // elementwise.cu

// dst = src, at least one of them on the GPU (the front door checked the shapes)
void copy(const Tensor& dst, const Tensor& src) {
  const size_t nbytes = static_cast<size_t>(dst.numel()) * dst.element_size();
  if (dst.is_cuda() && src.is_cuda()) return copy_on_device(dst, src);
  if (dst.is_cuda()) {  // host -> device
    Tensor packed = src.is_contiguous() && src.dtype() == dst.dtype() ? src : kernels::copy_to_new(src, dst.dtype());
    if (dst.is_contiguous()) return memcpy_to_device(dst.raw_data(), packed.raw_data(), nbytes);
    Tensor staged = empty(dst.shape(), dst.dtype(), dst.device());
    memcpy_to_device(staged.raw_data(), packed.raw_data(), nbytes);
    return copy_on_device(dst, staged);
  }
  // device -> host
  Tensor packed =
      src.is_contiguous() && src.dtype() == dst.dtype() ? src : empty(src.shape(), dst.dtype(), src.device());
  if (!packed.is_same(src)) copy_on_device(packed, src);
  if (dst.is_contiguous()) return memcpy_to_host(dst.raw_data(), packed.raw_data(), nbytes);
  Tensor staged = empty(dst.shape(), dst.dtype(), Device());
  memcpy_to_host(staged.raw_data(), packed.raw_data(), nbytes);
  cpu::copy(dst, staged);
}

}  // namespace dgm::cuda
