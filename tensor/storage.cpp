#include "tensor/storage.h"

#include "tensor/allocator.h"
#include "tensor/error.h"

#include "tensor/backend/backend.h"  // cuda::allocate / deallocate: the caching device allocator

namespace dgm {

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) {
  if (d.is_cpu()) {
    data = cpu_allocator::allocate(n);
  } else {
    data = cuda::allocate(n, d.index);  // cuda/no_cuda.cpp: an error when dgm is built without CUDA
  }
}

Storage::~Storage() {
  if (device.is_cpu())
    cpu_allocator::deallocate(data, nbytes);
  else
    cuda::deallocate(data, nbytes);
}

}  // namespace dgm
