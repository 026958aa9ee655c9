// How a kernel entry point (tensor/kernels/*.cpp) reaches a backend. It
// checks its operands once, allocates the outputs on their device, then
//   DGM_BACKEND(device, unary(op, out, x, p0, p1));
// runs dgm::cuda::unary on a CUDA device and dgm::cpu::unary otherwise. Both
// are declared by tensor/backend/backend.h; in a build without CUDA no CUDA
// tensor can exist, and cuda/no_cuda.cpp's versions only throw.
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

}  // namespace dgm::backend

#define DGM_BACKEND(device, call) ((device).is_cuda() ? ::dgm::cuda::call : ::dgm::cpu::call)
