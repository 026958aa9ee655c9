// Differentiable matrix products and linear algebra (CPU, float32/float64;
// matmul also int64). Names and semantics follow PyTorch.
//
// matmul(a, b), as torch.matmul:
//   1-D @ 1-D          dot product, a 0-dim result
//   2-D @ 2-D          matrix product
//   1-D @ N-D          a is treated as (1, k); the added dim is removed again
//   N-D @ 1-D          b is treated as (k, 1); the added dim is removed again
//   N-D @ N-D          batched: dims before the last two broadcast, e.g.
//                      (2,1,3,4) @ (5,4,6) -> (2,5,3,6)
// A size mismatch reads: "matmul: shapes (3,4) and (5,6) cannot be multiplied (4 != 5)".
//
// dgm::linalg (as torch.linalg) takes a square matrix or a batch of them
// (..., n, n); a right-hand side's batch dims broadcast against A's.
//   cholesky           lower L with A = L L^T (upper=true gives L^T); throws naming
//                      the leading minor that is not positive-definite
//   solve_triangular   X with A X = B (left) or X A = B (left=false)
//   solve, inv         by LU; throw when A is singular
//   slogdet            (sign, log|det A|); (0, -inf) for a singular A
//   det                sign * exp(logabsdet)
//   eigh, eigvalsh     eigenvalues ascending, eigenvectors as columns
// Gradients follow PyTorch's conventions: for the symmetric-input ops
// (cholesky, eigh) the gradient is symmetrized; for solve_triangular the
// gradient of A lives on the triangle that is read. The eigenvector gradient
// divides by eigenvalue gaps: it is inf/nan when eigenvalues repeat.
#pragma once
#include <tuple>

#include "tensor/tensor.h"

namespace dgm {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);     // 2-D only, no broadcasting
Tensor bmm(const Tensor& a, const Tensor& b);    // (B,n,k) @ (B,k,m), no broadcasting
Tensor outer(const Tensor& a, const Tensor& b);  // 1-D a, b -> a_i b_j
Tensor trace(const Tensor& a);                   // 2-D: sum of the diagonal

// torch.triangular_solve(b, A, upper, transpose, unitriangular): X with op(A) X = b,
// op(A) = A or A^T. Returns (X, a copy of A).
std::tuple<Tensor, Tensor> triangular_solve(const Tensor& b, const Tensor& A, bool upper = true, bool transpose = false,
                                            bool unitriangular = false);
Tensor inverse(const Tensor& A);  // = linalg::inv

namespace linalg {

Tensor cholesky(const Tensor& A, bool upper = false);
Tensor solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left = true, bool unitriangular = false);
Tensor solve(const Tensor& A, const Tensor& B);  // B (..., n, k), or (n) for one vector
Tensor inv(const Tensor& A);
std::tuple<Tensor, Tensor> slogdet(const Tensor& A);  // (sign, logabsdet)
Tensor det(const Tensor& A);
std::tuple<Tensor, Tensor> eigh(const Tensor& A);  // (eigenvalues, eigenvectors); reads A's lower triangle
Tensor eigvalsh(const Tensor& A);
Tensor matmul(const Tensor& a, const Tensor& b);  // = dgm::matmul

}  // namespace linalg
}  // namespace dgm
