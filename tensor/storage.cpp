#include "tensor/storage.h"

#include "tensor/allocator.h"
#include "tensor/error.h"

#if DGM_WITH_CUDA
#include "cuda/kernels.h"  // cuda::allocate / deallocate: the caching device allocator
#endif

namespace dgm {

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) {
  if (d.is_cpu()) {
    data = cpu_allocator::allocate(n);
  } else {
#if DGM_WITH_CUDA
    data = cuda::allocate(n, d.index);
#else
    DGM_FAIL("Storage: cannot allocate ", n, " bytes on ", d.str(), ": dgm was built without CUDA");
#endif
  }
}

Storage::~Storage() {
  if (device.is_cpu()) cpu_allocator::deallocate(data, nbytes);
#if DGM_WITH_CUDA
  else cuda::deallocate(data, nbytes);
#endif
}

}  // namespace dgm
