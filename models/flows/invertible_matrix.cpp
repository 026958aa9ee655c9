#include "models/flows/invertible_matrix.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/linalg.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/flows/dense_decompositions.h"

namespace dgm::models::flows {

namespace {

void check_size(const char* what, int64_t n) { DGM_CHECK(n >= 1, what, ": expected a matrix size >= 1, got ", n); }

TensorOptions options_of(const Tensor& t) { return TensorOptions(t.dtype()).device(t.device()); }

// diag(d) for a vector d (n): I * d scales column j by d_j.
Tensor diagonal_matrix(const Tensor& d) { return eye(d.size(0), options_of(d)) * d; }

}  // namespace

std::string parametrization_name(MatrixParametrization p) {
  switch (p) {
    case MatrixParametrization::kPlain:
      return "plain";
    case MatrixParametrization::kLU:
      return "lu";
    case MatrixParametrization::kQR:
      return "qr";
  }
  return "?";
}

// ---- plain ----

PlainMatrix::PlainMatrix(int64_t n, Generator* gen) : InvertibleMatrix(n) {
  check_size("PlainMatrix", n);
  weight_ = register_parameter("weight", random_rotation(n, gen).to(kFloat32));
}

// log|det W| by LU (slogdet); its gradient is W^{-T}
Tensor PlainMatrix::log_abs_det() { return std::get<1>(linalg::slogdet(weight_)); }

Tensor PlainMatrix::inverse_weight() { return linalg::inv(weight_); }

// ---- LU ----

LUMatrix::LUMatrix(int64_t n, Generator* gen) : InvertibleMatrix(n) {
  check_size("LUMatrix", n);
  LUFactors f = lu_decompose(random_rotation(n, gen));
  Tensor s = (f.upper * eye(n, TensorOptions(kFloat64))).sum({1});  // diag(U)
  // P[i][permutation[i]] = 1
  permutation = register_buffer("permutation", argmax(f.permutation, 1));
  sign_s = register_buffer("sign_s", sign(s).to(kFloat32));
  lower = register_parameter("lower", tril(f.lower, -1).to(kFloat32));
  upper = register_parameter("upper", triu(f.upper, 1).to(kFloat32));
  log_s = register_parameter("log_s", log(abs(s)).to(kFloat32));
}

Tensor LUMatrix::unit_lower() { return tril(lower, -1) + eye(n_, options_of(lower)); }

Tensor LUMatrix::upper_with_diagonal() { return triu(upper, 1) + diagonal_matrix(sign_s * exp(log_s)); }

// W = P L (U + diag(sign_s exp(log_s))); P M is M's rows gathered: (P M)[i, :] = M[permutation[i], :]
Tensor LUMatrix::weight() { return index_select(matmul(unit_lower(), upper_with_diagonal()), 0, permutation); }

// log|det W| = log|det P| + log|det L| + log|det U'| = 0 + 0 + sum log_s
Tensor LUMatrix::log_abs_det() { return log_s.sum(); }

// W^{-1} = U'^{-1} L^{-1} P^T: solve L Y = I (unit lower), then U' X = Y (upper); X P^T gathers X's columns,
// (X P^T)[:, i] = X[:, permutation[i]]
Tensor LUMatrix::inverse_weight() {
  Tensor y = linalg::solve_triangular(unit_lower(), eye(n_, options_of(lower)), /*upper=*/false, /*left=*/true,
                                      /*unitriangular=*/true);
  return index_select(linalg::solve_triangular(upper_with_diagonal(), y, /*upper=*/true), 1, permutation);
}

// ---- QR ----

QRMatrix::QRMatrix(int64_t n, Generator* gen) : InvertibleMatrix(n) {
  check_size("QRMatrix", n);
  reflections = register_parameter("reflections", randn({n, n}, TensorOptions(kFloat32), gen));
  upper = register_parameter("upper", zeros({n, n}));
  log_r = register_parameter("log_r", zeros({n}));
}

Tensor QRMatrix::orthogonal() { return householder_product(reflections); }

Tensor QRMatrix::triangular() { return triu(upper, 1) + diagonal_matrix(exp(log_r)); }

// W = Q R
Tensor QRMatrix::weight() { return matmul(orthogonal(), triangular()); }

// log|det W| = log|det Q| + log|det R| = 0 + sum log_r
Tensor QRMatrix::log_abs_det() { return log_r.sum(); }

// W^{-1} = R^{-1} Q^T (Q orthogonal): solve R X = Q^T
Tensor QRMatrix::inverse_weight() { return linalg::solve_triangular(triangular(), orthogonal().mT(), /*upper=*/true); }

Tensor householder_product(const Tensor& V) {
  DGM_CHECK(V.dim() == 2 && V.size(0) >= 1, "householder_product: expected reflection vectors (k, n), got ",
            shape_str(V.shape()));
  const int64_t n = V.size(1);
  Tensor sq_norms = V.square().sum({1});
  DGM_CHECK(sq_norms.min().item() > 0,
            "householder_product: a reflection vector is zero (H = I - 2 v v^T / |v|^2 "
            "is undefined); vectors of shape ",
            shape_str(V.shape()));
  Tensor q = eye(n, options_of(V));
  // Q <- Q H_j = Q - (2 / |v_j|^2) (Q v_j) v_j^T
  for (int64_t j = 0; j < V.size(0); ++j) {
    Tensor v = V.select(0, j);
    Tensor qv = matmul(q, v.unsqueeze(1));  // (n, 1)
    q = q - matmul(qv, v.unsqueeze(0)) * (2.0 / sq_norms.select(0, j));
  }
  return q;
}

std::shared_ptr<InvertibleMatrix> make_invertible_matrix(MatrixParametrization p, int64_t n, Generator* gen) {
  switch (p) {
    case MatrixParametrization::kPlain:
      return std::make_shared<PlainMatrix>(n, gen);
    case MatrixParametrization::kLU:
      return std::make_shared<LUMatrix>(n, gen);
    case MatrixParametrization::kQR:
      return std::make_shared<QRMatrix>(n, gen);
  }
  DGM_FAIL("make_invertible_matrix: unknown parametrization");
}

}  // namespace dgm::models::flows
