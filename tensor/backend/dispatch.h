// How a kernel entry point (tensor/kernels/*.cpp) reaches a backend. It
// checks its operands once, allocates the outputs on their device, then
//   DGM_BACKEND(device, unary(op, out, x, p0, p1));
// calls Backend{device}.unary(...), which runs dgm::cuda::unary on a CUDA
// device and dgm::cpu::unary otherwise, inside the profiler's scope
// (tensor/profiler.h: the op's name, e.g. "exp" for Unary::Exp, and its
// operands). Both backends are declared by tensor/backend/backend.h; in a
// build without CUDA no CUDA tensor can exist, and cuda/no_cuda.cpp's versions
// only throw.
#pragma once
#include <initializer_list>

#include "tensor/backend/backend.h"
#include "tensor/tensor.h"

namespace dgm::backend {

// The device of the defined operands, which must all be on one: otherwise
// "gather: expected all tensors on one device, got cpu for operand 1
// (x, shape (3,4)) and cuda:0 for operand 2 (index, shape (3,4))".
// `names` names the operands in order (may be empty). Undefined tensors
// (an absent bias) are skipped; with none defined, the CPU.
Device one_device(const char* op, std::initializer_list<const Tensor*> operands,
                  std::initializer_list<const char*> names = {});

// The backend of one device: the kernels of tensor/backend/ops.inc (the same
// signatures as dgm::cpu's and dgm::cuda's), each one profiled, then run on
// `device`'s backend (tensor/backend/dispatch_calls.cpp).
struct Backend {
  Device device;
#include "tensor/backend/ops.inc"
};

}  // namespace dgm::backend

#define DGM_BACKEND(device, call) (::dgm::backend::Backend{(device)}.call)
