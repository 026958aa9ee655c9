#include "models/flows/dense_decompositions.h"

#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace dgm::models::flows {

namespace {

using Matrix = std::vector<double>;  // row-major n x n

Tensor to_tensor(const Matrix& m, int64_t n) { return tensor(m, {n, n}); }

}  // namespace

Tensor random_rotation(int64_t n, Generator* gen) {
  DGM_CHECK(n >= 1, "random_rotation: expected a size >= 1, got ", n);
  Matrix a = randn({n, n}, TensorOptions(kFloat64), gen).to_vector<double>();
  // Householder QR: for each column k, reflect a[k:, k] onto -sign(a_kk) |a[k:, k]| e_k.
  // q starts as I and accumulates Q = H_0 H_1 ... H_{n-2} (applied on the right).
  Matrix q(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) q[i * n + i] = 1;
  std::vector<double> v(n);
  for (int64_t k = 0; k + 1 < n; ++k) {
    double norm = 0;
    for (int64_t i = k; i < n; ++i) norm += a[i * n + k] * a[i * n + k];
    norm = std::sqrt(norm);
    if (norm == 0) continue;
    const double alpha = a[k * n + k] > 0 ? -norm : norm;
    double vv = 0;
    for (int64_t i = k; i < n; ++i) {
      v[i] = a[i * n + k] - (i == k ? alpha : 0.0);
      vv += v[i] * v[i];
    }
    if (vv == 0) continue;
    // A <- H A, H = I - 2 v v^T / v^T v
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < n; ++i) dot += v[i] * a[i * n + j];
      const double f = 2 * dot / vv;
      for (int64_t i = k; i < n; ++i) a[i * n + j] -= f * v[i];
    }
    // Q <- Q H
    for (int64_t i = 0; i < n; ++i) {
      double dot = 0;
      for (int64_t j = k; j < n; ++j) dot += q[i * n + j] * v[j];
      const double f = 2 * dot / vv;
      for (int64_t j = k; j < n; ++j) q[i * n + j] -= f * v[j];
    }
  }
  // a is now R; flip the columns of Q where diag(R) < 0 so that the QR is the unique one with diag(R) > 0.
  for (int64_t j = 0; j < n; ++j)
    if (a[j * n + j] < 0)
      for (int64_t i = 0; i < n; ++i) q[i * n + j] = -q[i * n + j];
  return to_tensor(q, n);
}

LUFactors lu_decompose(const Tensor& A) {
  DGM_CHECK(A.dim() == 2 && A.size(0) == A.size(1), "lu_decompose: expected a square matrix, got ",
            shape_str(A.shape()));
  const int64_t n = A.size(0);
  Matrix u = A.to(kFloat64).contiguous().to_vector<double>();
  Matrix l(n * n, 0.0);
  std::vector<int64_t> row(n);  // row i of P^T A is row row[i] of A
  for (int64_t i = 0; i < n; ++i) row[i] = i;
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = k;
    for (int64_t i = k + 1; i < n; ++i)
      if (std::fabs(u[i * n + k]) > std::fabs(u[p * n + k])) p = i;
    DGM_CHECK(u[p * n + k] != 0, "lu_decompose: the matrix is singular (no pivot in column ", k, ")");
    if (p != k) {
      for (int64_t j = 0; j < n; ++j) {
        std::swap(u[k * n + j], u[p * n + j]);
        std::swap(l[k * n + j], l[p * n + j]);
      }
      std::swap(row[k], row[p]);
    }
    for (int64_t i = k + 1; i < n; ++i) {
      const double f = u[i * n + k] / u[k * n + k];
      l[i * n + k] = f;
      for (int64_t j = k + 1; j < n; ++j) u[i * n + j] -= f * u[k * n + j];
      u[i * n + k] = 0;
    }
  }
  for (int64_t i = 0; i < n; ++i) l[i * n + i] = 1;
  // P^T A = L U with (P^T)[i][row[i]] = 1, so P[row[i]][i] = 1.
  Matrix p(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) p[row[i] * n + i] = 1;
  return {to_tensor(p, n), to_tensor(l, n), to_tensor(u, n)};
}

}  // namespace dgm::models::flows
