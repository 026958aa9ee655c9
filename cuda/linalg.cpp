// The LAPACK ops on CUDA tensors: solve_triangular, cholesky, inverse, solve,
// slogdet, eigh. Each copies its operands to the host, calls the CPU kernel
// of the same name (tensor/cpu/blas.cpp, tensor/cpu/lapack.cpp) and copies
// the results back into the GPU tensors the front door allocated.
//
// Why through the CPU: the matrices of this course are small (covariances,
// the weight matrices of a flow: tens to a few hundred rows), where a GPU
// factorization is bound by launch latency and the round trip over PCIe costs
// a few microseconds; and the CPU kernels already give the error messages the
// tests and the users know ("the input is not positive-definite", "the input
// matrix is singular", with the batch element). cuSOLVER (potrf, getrf/getrs,
// syevd and their batched forms) would be the next step for large matrices.
//
// The copies are synchronous: the GPU work that produced the inputs finishes
// before the CPU reads them. No autograd here: the front ends in
// autograd/ops/linalg.cpp record the gradients, in terms of ops that run on
// the GPU themselves (matmul, solve_triangular, ...).
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// A contiguous host copy of x, and back.
Tensor to_host(const Tensor& x) { return x.detach().cpu(); }
void back_to(const Tensor& device_dst, const Tensor& host_src) { copy(device_dst, host_src); }

}  // namespace

// Each: host copies, the CPU kernel of the same name (its math and messages), results copied back.
void solve_triangular_(const Tensor& x, const Tensor& a, bool upper, bool unitriangular) {
  Tensor hx = to_host(x);
  cpu::solve_triangular_(hx, to_host(a), upper, unitriangular);
  back_to(x, hx);
}

void cholesky_(const Tensor& a) {
  Tensor h = to_host(a);
  cpu::cholesky_(h);
  back_to(a, h);
}

void inverse_(const Tensor& a) {
  Tensor h = to_host(a);
  cpu::inverse_(h);
  back_to(a, h);
}

void solve_(const Tensor& lu, const Tensor& xt) {
  Tensor hx = to_host(xt);
  cpu::solve_(to_host(lu), hx);
  back_to(xt, hx);
}

void slogdet(const Tensor& sign, const Tensor& logabs, const Tensor& lu) {
  Tensor hs = to_host(sign), hl = to_host(logabs);
  cpu::slogdet(hs, hl, to_host(lu));
  back_to(sign, hs);
  back_to(logabs, hl);
}

void eigh_(const Tensor& w, const Tensor& vt) {
  Tensor hw = to_host(w), hv = to_host(vt);
  cpu::eigh_(hw, hv);
  back_to(w, hw);
  back_to(vt, hv);
}

}  // namespace dgm::cuda
