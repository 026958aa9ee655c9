#include "tensor/storage.h"

#include "tensor/allocator.h"
#include "tensor/error.h"

namespace dgm {
namespace {
DeviceAllocator& cuda_allocator() {
  static DeviceAllocator a;
  return a;
}
}  // namespace

void register_cuda_allocator(DeviceAllocator allocator) { cuda_allocator() = std::move(allocator); }

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) {
  if (d.is_cpu()) {
    data = cpu_allocator::allocate(n);
  } else {
    DGM_CHECK(cuda_allocator().allocate, "Storage: cannot allocate on ", d.str(),
              ": dgm was built without CUDA or no GPU is available");
    data = cuda_allocator().allocate(n);
  }
}

Storage::~Storage() {
  if (device.is_cpu()) cpu_allocator::deallocate(data, nbytes);
  else if (cuda_allocator().deallocate) cuda_allocator().deallocate(data, nbytes);
}

}  // namespace dgm
