// How a kernel entry point picks its device. Each CPU entry point in
// tensor/cpu/ starts with
//   DGM_DISPATCH_CUDA(x, cuda::unary(op, x, p0, p1));
// which hands a CUDA tensor to the CUDA kernel of the same name (cuda/) and
// falls through to the CPU loop otherwise. In a build without CUDA a CUDA
// tensor cannot exist (Storage refuses to allocate one), and the macro only
// checks that.
#pragma once
#include "tensor/error.h"

#if DGM_WITH_CUDA
#include "cuda/kernels.h"
#define DGM_DISPATCH_CUDA(t, ...) \
  if ((t).is_cuda()) return __VA_ARGS__
#else
#define DGM_DISPATCH_CUDA(t, ...) \
  DGM_CHECK(!(t).is_cuda(), "dgm was built without CUDA, got a tensor on ", (t).device().str())
#endif
