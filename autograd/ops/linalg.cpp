// Matrix products and linear algebra: the front ends (shape rules,
// broadcasting of batch dims) and, above each op, its derivative. Gradients
// are written with differentiable ops (matmul, solve_triangular, inv, ...), so
// they can be differentiated again.
//
// An op whose gradient needs its own output (cholesky's L, inv's A^{-1}, ...)
// keeps a detached copy of it for first derivatives; under create_graph it
// recomputes the output from its input instead, so that the second pass sees
// how the output depends on the input (and no output holds its own node alive).
#include "autograd/ops/linalg.h"

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "tensor/factories.h"
#include "tensor/kernels/linalg.h"

namespace dgm {

using autograd::also_reads;
using autograd::NeedsGrad;
using autograd::record;
using autograd::Saves;

namespace {

void check_pair(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.defined() && b.defined(), op, ": got an undefined tensor");
  DGM_CHECK(a.device() == b.device(), op, ": expected both tensors on the same device, got ", a.device().str(), " and ",
            b.device().str(), " (shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), ")");
  DGM_CHECK(a.dtype() == b.dtype(), op, ": expected both tensors to have the same dtype, got ", dtype_name(a.dtype()),
            " and ", dtype_name(b.dtype()), " (shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), ")");
  DGM_CHECK(a.dtype() != kBool, op, ": not defined for bool tensors");
}

void check_inner(const char* op, const Tensor& a, const Tensor& b, int64_t ka, int64_t kb) {
  DGM_CHECK(ka == kb, op, ": shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " cannot be multiplied (",
            ka, " != ", kb, ")");
}

Shape batch_of(const Tensor& x) { return Shape(x.shape().begin(), x.shape().end() - 2); }

Shape with_matrix(Shape batch, int64_t rows, int64_t cols) {
  batch.push_back(rows);
  batch.push_back(cols);
  return batch;
}

// (..., n, k) @ (..., k, m), both with one batch shape.
// d(A@B) = (G B^T, A^T G)
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  return record(
      "matmul", kernels::matmul(a, b), {a, b},
      [a, b](const Tensor& g, const NeedsGrad& needs) {
        return std::vector{needs[0] ? batched_matmul(g, b.mT()) : Tensor(),
                           needs[1] ? batched_matmul(a.mT(), g) : Tensor()};
      },
      Saves::OtherInput);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_pair("matmul", a, b);
  DGM_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dim, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t k = a.size(-1);
  check_inner("matmul", a, b, k, b.dim() == 1 ? b.size(0) : b.size(-2));
  if (a.dim() == 1 && b.dim() == 1) return batched_matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  if (a.dim() == 2 && b.dim() == 2) return batched_matmul(a, b);
  if (b.dim() == 2) {  // fold a's batch dims into its rows: one gemm
    Shape out = a.shape();
    out.back() = b.size(1);
    const int64_t rows = numel_of(Shape(a.shape().begin(), a.shape().end() - 1));
    return batched_matmul(a.reshape({rows, k}), b).reshape(out);
  }
  // Broadcast the batch dims; expand's backward sums each gradient back.
  const Shape batch = broadcast_shapes("matmul", batch_of(a), batch_of(b));
  return batched_matmul(a.expand(with_matrix(batch, a.size(-2), k)), b.expand(with_matrix(batch, k, b.size(-1))));
}

Tensor mm(const Tensor& a, const Tensor& b) {
  check_pair("mm", a, b);
  DGM_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got shapes ", shape_str(a.shape()), " and ",
            shape_str(b.shape()));
  check_inner("mm", a, b, a.size(1), b.size(0));
  return batched_matmul(a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_pair("bmm", a, b);
  DGM_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0),
            "bmm: expected 3-D tensors with equal batch sizes, got shapes ", shape_str(a.shape()), " and ",
            shape_str(b.shape()));
  check_inner("bmm", a, b, a.size(2), b.size(1));
  return batched_matmul(a, b);
}

// outer(a, b)_ij = a_i b_j: a broadcast product, differentiated by mul and expand
Tensor outer(const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.defined() && b.defined() && a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  return a.unsqueeze(1) * b.unsqueeze(0);
}

// trace(A) = sum_i A_ii: d trace = I
Tensor trace(const Tensor& a) {
  DGM_CHECK(a.defined() && a.dim() == 2, "trace: expected a 2-D tensor, got shape ", shape_str(a.shape()));
  return (a * eye(a.size(0), a.size(1), TensorOptions(a.dtype()).device(a.device()))).sum();
}

Tensor Tensor::matmul(const Tensor& other) const { return dgm::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return dgm::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return dgm::bmm(*this, other); }

namespace linalg {
namespace {

void check_square(const char* op, const Tensor& A) {
  DGM_CHECK(A.defined(), op, ": got an undefined tensor");
  DGM_CHECK(A.dim() >= 2 && A.size(-1) == A.size(-2), op,
            ": expected a square matrix or a batch of square matrices, got shape ", shape_str(A.shape()));
  DGM_CHECK(A.is_floating_point(), op, ": expected a float32 or float64 tensor, got ", dtype_name(A.dtype()));
}

// A and a right-hand side B (..., n, k) with their batch dims broadcast.
std::pair<Tensor, Tensor> broadcast_rhs(const char* op, const Tensor& A, const Tensor& B) {
  check_square(op, A);
  check_pair(op, A, B);
  DGM_CHECK(B.dim() >= 2 && B.size(-2) == A.size(-1), op, ": expected B of shape (..., ", A.size(-1),
            ", k) for A of shape ", shape_str(A.shape()), ", got ", shape_str(B.shape()));
  const Shape batch = broadcast_shapes(op, batch_of(A), batch_of(B));
  return {A.expand(with_matrix(batch, A.size(-2), A.size(-1))), B.expand(with_matrix(batch, B.size(-2), B.size(-1)))};
}

// An (n, n) constant: 1 strictly below (lower) or above (!lower) the diagonal,
// `diag` on it, 0 elsewhere.
Tensor triangle_mask(int64_t n, bool lower, double diag, const Tensor& like) {
  std::vector<double> v(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) v[i * n + j] = i == j ? diag : ((lower ? i > j : i < j) ? 1.0 : 0.0);
  return tensor(v, {n, n}, TensorOptions(like.dtype()).device(like.device()));
}

// The symmetric part (X + X^T) / 2.
Tensor sym(const Tensor& x) { return (x + x.mT()) * 0.5; }

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) { return dgm::matmul(a, b); }

// A = L L^T gives L^{-1} dA L^{-T} = L^{-1} dL + (L^{-1} dL)^T, so dL = L Phi(L^{-1} dA L^{-T}) with
// Phi = lower triangle, half the diagonal. d cholesky: Abar = sym(L^{-T} Phi(L^T Lbar) L^{-1})
Tensor cholesky(const Tensor& A, bool upper) {
  check_square("cholesky", A);
  Tensor L = kernels::cholesky(A);
  L = record(
      "cholesky", L, {A},
      [A, saved = L.detach()](const Tensor& g) {
        Tensor l = GradMode::is_enabled() ? cholesky(A) : saved;
        Tensor phi = l.mT().matmul(g) * triangle_mask(l.size(-1), /*lower=*/true, 0.5, g);
        Tensor s = solve_triangular(l.mT(), phi, /*upper=*/true);     // L^{-T} Phi
        s = solve_triangular(l, s, /*upper=*/false, /*left=*/false);  // L^{-T} Phi L^{-1}
        return std::vector{sym(s)};
      },
      Saves::InputsAndOutput);
  return upper ? L.mT() : L;
}

// X = A^{-1} B: dX = A^{-1} (dB - dA X), so Bbar = A^{-T} Xbar, Abar = -Bbar X^T on A's triangle
Tensor solve_triangular(const Tensor& A_, const Tensor& B_, bool upper, bool left, bool unitriangular) {
  check_square("solve_triangular", A_);
  check_pair("solve_triangular", A_, B_);
  if (!left)  // X A = B  <=>  A^T X^T = B^T
    return solve_triangular(A_.mT(), B_.mT(), !upper, /*left=*/true, unitriangular).mT();
  auto [A, B] = broadcast_rhs("solve_triangular", A_, B_);
  Tensor X = kernels::solve_triangular(A, B, upper, unitriangular);
  return record(
      "solve_triangular", X, {A, B},
      [A = A, B = B, saved = X.detach(), upper, unitriangular](const Tensor& g, const NeedsGrad& needs) {
        Tensor gb = solve_triangular(A.mT(), g, !upper, true, unitriangular);
        Tensor ga;
        if (needs[0]) {
          Tensor x = GradMode::is_enabled() ? solve_triangular(A, B, upper, true, unitriangular) : saved;
          ga = -gb.matmul(x.mT()) * triangle_mask(A.size(-1), !upper, unitriangular ? 0.0 : 1.0, g);
        }
        return std::vector{ga, needs[1] ? gb : Tensor()};
      },
      Saves::InputsAndOutput);
}

// X = A^{-1} B: Bbar = A^{-T} Xbar, Abar = -Bbar X^T
Tensor solve(const Tensor& A_, const Tensor& B_) {
  check_square("solve", A_);
  if (B_.defined() && B_.dim() == 1) return solve(A_, B_.unsqueeze(-1)).squeeze(-1);
  auto [A, B] = broadcast_rhs("solve", A_, B_);
  Tensor X = kernels::solve(A, B);
  return record(
      "solve", X, {A, B},
      [A = A, B = B, saved = X.detach()](const Tensor& g, const NeedsGrad& needs) {
        Tensor gb = solve(A.mT(), g);
        Tensor ga;
        if (needs[0]) ga = -gb.matmul((GradMode::is_enabled() ? solve(A, B) : saved).mT());
        return std::vector{ga, needs[1] ? gb : Tensor()};
      },
      Saves::InputsAndOutput);
}

// Y = A^{-1}: dY = -Y dA Y, so Abar = -Y^T Ybar Y^T
Tensor inv(const Tensor& A) {
  check_square("inv", A);
  Tensor Y = kernels::inverse(A);
  return record(
      "inv", Y, {A},
      [A, saved = Y.detach()](const Tensor& g) {
        Tensor yt = (GradMode::is_enabled() ? inv(A) : saved).mT();
        return std::vector{-yt.matmul(g).matmul(yt)};
      },
      Saves::InputsAndOutput);
}

// d log|det A| = tr(A^{-1} dA), so Abar = g A^{-T}; the sign is piecewise constant (no gradient)
std::tuple<Tensor, Tensor> slogdet(const Tensor& A) {
  check_square("slogdet", A);
  auto [sign, logabs] = kernels::slogdet(A);
  logabs = record("slogdet", logabs, {A},
                  [A](const Tensor& g) { return std::vector{g.unsqueeze(-1).unsqueeze(-1) * inv(A).mT()}; });
  return {sign, logabs};
}

// det A = sign * exp(logabsdet), differentiated through slogdet (fails at a singular A)
Tensor det(const Tensor& A) {
  auto [sign, logabs] = slogdet(A);
  return sign * exp(logabs);
}

// A = V diag(w) V^T with V^T V = I. With S = V^T dA V: dw = diag(S), dV = V (F o S),
// F_ij = 1/(w_j - w_i) off the diagonal, 0 on it. So
//   from the eigenvalues:  Abar = V diag(wbar) V^T
//   from the eigenvectors: Abar = sym(V (F o (V^T Vbar)) V^T)
std::tuple<Tensor, Tensor> eigh(const Tensor& A) {
  check_square("eigh", A);
  auto [w, V] = kernels::eigh(A);
  Tensor ws = w.detach(), vs = V.detach();
  Tensor w_out = record("eigh_eigenvalues", w, {A}, [A, vs](const Tensor& g) {
    Tensor v = GradMode::is_enabled() ? std::get<1>(eigh(A)) : vs;
    return std::vector{sym((v * g.unsqueeze(-2)).matmul(v.mT()))};
  });
  w_out = also_reads(w_out, "eigenvectors", vs);
  Tensor v_out = record("eigh_eigenvectors", V, {A}, [A, ws, vs](const Tensor& g) {
    Tensor w = ws, v = vs;
    if (GradMode::is_enabled()) std::tie(w, v) = eigh(A);
    Tensor I = eye(w.size(-1), TensorOptions(w.dtype()).device(w.device()));
    Tensor F = (1.0 - I) / (w.unsqueeze(-2) - w.unsqueeze(-1) + I);  // the + I keeps the diagonal finite
    return std::vector{sym(v.matmul(F * v.mT().matmul(g)).matmul(v.mT()))};
  });
  v_out = also_reads(also_reads(v_out, "eigenvalues", ws), "eigenvectors", vs);
  return {w_out, v_out};
}

Tensor eigvalsh(const Tensor& A) { return std::get<0>(eigh(A)); }

}  // namespace linalg

std::tuple<Tensor, Tensor> triangular_solve(const Tensor& b, const Tensor& A, bool upper, bool transpose,
                                            bool unitriangular) {
  Tensor X = transpose ? linalg::solve_triangular(A.mT(), b, !upper, true, unitriangular)
                       : linalg::solve_triangular(A, b, upper, true, unitriangular);
  return {X, A.clone()};
}

Tensor inverse(const Tensor& A) { return linalg::inv(A); }

}  // namespace dgm
