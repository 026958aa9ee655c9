// Small dense decompositions of float64 matrices, computed once when a linear
// flow is initialized (no autograd, CPU):
//
//   random_rotation(n)   Q of the QR decomposition of an n x n matrix of N(0,1)
//                        draws (Householder QR in float64), the columns' signs
//                        fixed so that diag(R) > 0: a Haar-distributed
//                        orthogonal matrix, |det Q| = 1 (Glow's init of W).
//   lu_decompose(A)      A = P L U with partial pivoting: P a permutation
//                        matrix, L unit lower-triangular, U upper-triangular
//                        (scipy.linalg.lu's convention), the LU init of W.
#pragma once
#include "tensor/random.h"

namespace dgm::models::flows {

// (n, n) float64 orthogonal matrix; draws n*n normals from gen (null: the default generator).
Tensor random_rotation(int64_t n, Generator* gen = nullptr);

struct LUFactors {
  Tensor permutation;  // P (n, n), float64
  Tensor lower;        // L (n, n), unit diagonal
  Tensor upper;        // U (n, n)
};

// A = P L U for a square float64 or float32 matrix (the factors are float64);
// throws for a non-square or singular A.
LUFactors lu_decompose(const Tensor& A);

}  // namespace dgm::models::flows
