// The linear algebra kernels' front door: shapes, dtypes, devices, the
// outputs (the LAPACK kernels work in place on a fresh copy of A), then the
// backend (tensor/cpu/blas.cpp and lapack.cpp, cuda/blas.cu and linalg.cpp).
#include "tensor/kernels/linalg.h"

#include <climits>

#include "tensor/backend/dispatch.h"
#include "tensor/kernels/elementwise.h"

namespace dgm::kernels {
namespace {

// a and b: one device, one dtype, matrices with the same batch dims.
Device check_operands(const char* op, const Tensor& a, const Tensor& b) {
  const Device device = backend::one_device(op, {&a, &b});
  DGM_CHECK(a.dtype() == b.dtype(), op, ": expected tensors of one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  DGM_CHECK(a.dim() >= 2 && a.dim() == b.dim(), op, ": expected matrices with the same batch dims, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  for (int64_t d = 0; d < a.dim() - 2; ++d)
    DGM_CHECK(a.size(d) == b.size(d), op, ": batch dims differ: ", shape_str(a.shape()), " and ", shape_str(b.shape()));
  for (int64_t d = a.dim() - 2; d < a.dim(); ++d)
    DGM_CHECK(a.size(d) < INT_MAX && b.size(d) < INT_MAX, op, ": matrix dims must fit in a 32-bit int for BLAS");
  return device;
}

Shape batch_shape(const Tensor& a) { return Shape(a.shape().begin(), a.shape().end() - 2); }

// A fresh contiguous copy of a batch of square matrices, and its size n.
Tensor square_copy(const char* op, const Tensor& a, int64_t* n) {
  DGM_CHECK(a.dim() >= 2 && a.size(-1) == a.size(-2), op, ": expected a square matrix or a batch of them, got shape ",
            shape_str(a.shape()));
  *n = a.size(-1);
  DGM_CHECK(*n < (int64_t{1} << 30), op, ": matrix too large for LAPACK");
  return copy_to_new(a.detach());
}

// out = x^T for each matrix, contiguous.
Tensor transposed_copy(const Tensor& x) { return copy_to_new(x.mT()); }

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  const Device device = check_operands("matmul", a, b);
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  DGM_CHECK(b.size(-2) == k, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
            " cannot be multiplied (", k, " != ", b.size(-2), ")");
  Shape out_shape = batch_shape(a);
  out_shape.push_back(n);
  out_shape.push_back(m);
  Tensor out = empty(out_shape, a.dtype(), device);
  if (out.numel() == 0) return out;
  if (k == 0) {  // a sum of no terms
    fill(out, 0);
    return out;
  }
  DGM_BACKEND(device, matmul(out, a.detach(), b.detach()));
  return out;
}

Tensor solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool unitriangular) {
  const Device device = check_operands("solve_triangular", a, b);
  const int64_t n = a.size(-1);
  DGM_CHECK(a.size(-2) == n && b.size(-2) == n, "solve_triangular: expected A (..., n, n) and B (..., n, k), got ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  Tensor x = copy_to_new(b.detach());
  if (x.numel() > 0) DGM_BACKEND(device, solve_triangular_(x, a.detach(), upper, unitriangular));
  return x;
}

Tensor cholesky(const Tensor& a) {
  int64_t n;
  Tensor out = square_copy("cholesky", a, &n);
  if (out.numel() > 0) DGM_BACKEND(out.device(), cholesky_(out));
  return out;
}

Tensor inverse(const Tensor& a) {
  int64_t n;
  Tensor out = square_copy("inv", a, &n);
  if (out.numel() > 0) DGM_BACKEND(out.device(), inverse_(out));
  return out;
}

Tensor solve(const Tensor& a, const Tensor& b) {
  const Device device = backend::one_device("solve", {&a, &b}, {"A", "B"});
  int64_t n;
  Tensor lu = square_copy("solve", a, &n);
  DGM_CHECK(b.dim() == a.dim() && b.size(-2) == n && batch_shape(b) == batch_shape(a),
            "solve: expected A (..., n, n) and B (..., n, k) with one batch shape, got ", shape_str(a.shape()), " and ",
            shape_str(b.shape()));
  DGM_CHECK(a.dtype() == b.dtype(), "solve: expected tensors of one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  // The rows of xt are the columns of B: column-major B, as LAPACK wants it.
  Tensor xt = transposed_copy(b.detach());
  if (xt.numel() > 0) DGM_BACKEND(device, solve_(lu, xt));
  return transposed_copy(xt);
}

std::tuple<Tensor, Tensor> slogdet(const Tensor& a) {
  int64_t n;
  Tensor lu = square_copy("slogdet", a, &n);
  const Shape bs = batch_shape(a);
  Tensor sign = empty(bs, a.dtype(), a.device()), logabs = empty(bs, a.dtype(), a.device());
  if (sign.numel() > 0) DGM_BACKEND(a.device(), slogdet(sign, logabs, lu));
  return {sign, logabs};
}

std::tuple<Tensor, Tensor> eigh(const Tensor& a) {
  int64_t n;
  Tensor vt = square_copy("eigh", a, &n);  // becomes V^T: row i is eigenvector i
  Shape ws = batch_shape(a);
  ws.push_back(n);
  Tensor w = empty(ws, a.dtype(), a.device());
  if (vt.numel() == 0) return {w, vt};
  DGM_BACKEND(a.device(), eigh_(w, vt));
  return {w, transposed_copy(vt)};
}

}  // namespace dgm::kernels
