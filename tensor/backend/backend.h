// The backend interface: what tensor/ asks of a device. tensor/backend/ops.inc
// lists the kernels; this header declares them twice, as dgm::cpu::op
// (implemented in tensor/cpu/) and dgm::cuda::op (implemented in cuda/, or by
// cuda/no_cuda.cpp with an error when dgm is built without CUDA), so the two
// backends cannot drift apart. The kernel entry points of tensor/kernels/
// check their operands once and call one backend through DGM_BACKEND
// (tensor/backend/dispatch.h).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/optim.h"
#include "tensor/kernels/reduce.h"
#include "tensor/tensor.h"

namespace dgm::cpu {
#include "tensor/backend/ops.inc"
}  // namespace dgm::cpu

namespace dgm::cuda {
#include "tensor/backend/ops.inc"

// ---- memory (cuda/allocator.cu), for Storage and the host <-> device copies ----
// A block of nbytes from the caching allocator of cuda:<device_index>.
void* allocate(size_t nbytes, int device_index);
void deallocate(void* ptr, size_t nbytes);
// nbytes from host to device (device to host), synchronous with respect to the host
void memcpy_to_device(void* dst, const void* src, size_t nbytes);
void memcpy_to_host(void* dst, const void* src, size_t nbytes);
}  // namespace dgm::cuda
