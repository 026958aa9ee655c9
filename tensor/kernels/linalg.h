// Linear algebra kernels (no autograd), CPU only, on OpenBLAS.
//
// Matrices are the last two dims; every leading dim is a batch dim, and the
// operands of one call already share their batch shape (the front ends in
// autograd/ops/linalg.cpp broadcast first; a broadcast batch dim may have
// stride 0 and is read in place, never copied). Outputs are fresh contiguous
// tensors. float32 and float64 throughout; matmul also takes int64.
#pragma once
#include <tuple>

#include "tensor/tensor.h"

namespace dgm::kernels {

// (..., n, k) @ (..., k, m) -> (..., n, m). Operands whose matrices are
// row-major or transposed row-major (strides (ld, 1) or (1, ld)) go to gemm
// as they are (CblasTrans for the second); other layouts are copied first.
Tensor matmul(const Tensor& a, const Tensor& b);

// X with A X = B, A (..., n, n) triangular (only that triangle is read),
// B (..., n, k). Throws when a diagonal element of A is exactly 0.
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool unitriangular);

// Lower L with A = L L^T, reading A's lower triangle (potrf). Throws naming
// the leading minor that is not positive-definite.
Tensor cholesky(const Tensor& a);

// A^{-1} by LU (getrf + getri). Throws when A is singular.
Tensor inverse(const Tensor& a);

// X with A X = B by LU (getrf + getrs), B (..., n, k). Throws when A is singular.
Tensor solve(const Tensor& a, const Tensor& b);

// (sign, log|det A|) from the LU factors; (0, -inf) for a singular A.
std::tuple<Tensor, Tensor> slogdet(const Tensor& a);

// Eigenvalues (ascending, (..., n)) and orthonormal eigenvectors (the
// columns of (..., n, n)) of a symmetric A, reading its lower triangle (syevd).
std::tuple<Tensor, Tensor> eigh(const Tensor& a);

}  // namespace dgm::kernels
