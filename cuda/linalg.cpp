// The LAPACK ops on CUDA tensors: solve_triangular, cholesky, inverse, solve,
// slogdet, eigh. Each copies its inputs to the host, calls the CPU kernel of
// the same name (tensor/cpu/blas.cpp, tensor/cpu/lapack.cpp) and copies the
// results back to the GPU.
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
#include "cuda/kernels.h"
#include "cuda/runtime.h"
#include "tensor/kernels/linalg.h"

namespace dgm::cuda {
namespace {

Tensor to_host(const Tensor& x) { return x.detach().cpu(); }
Tensor to_device(const Tensor& x, const Tensor& like) { return x.to(like.device()); }

}  // namespace

Tensor solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool unitriangular) {
  check_on_cuda("solve_triangular", {&a, &b});
  return to_device(kernels::solve_triangular(to_host(a), to_host(b), upper, unitriangular), a);
}

Tensor cholesky(const Tensor& a) {
  check_on_cuda("cholesky", {&a});
  return to_device(kernels::cholesky(to_host(a)), a);
}

Tensor inverse(const Tensor& a) {
  check_on_cuda("inv", {&a});
  return to_device(kernels::inverse(to_host(a)), a);
}

Tensor solve(const Tensor& a, const Tensor& b) {
  check_on_cuda("solve", {&a, &b});
  return to_device(kernels::solve(to_host(a), to_host(b)), a);
}

std::tuple<Tensor, Tensor> slogdet(const Tensor& a) {
  check_on_cuda("slogdet", {&a});
  auto [sign, logabs] = kernels::slogdet(to_host(a));
  return {to_device(sign, a), to_device(logabs, a)};
}

std::tuple<Tensor, Tensor> eigh(const Tensor& a) {
  check_on_cuda("eigh", {&a});
  auto [w, v] = kernels::eigh(to_host(a));
  return {to_device(w, a), to_device(v, a)};
}

}  // namespace dgm::cuda
