// Which matrix layouts a BLAS (OpenBLAS on the CPU, cuBLAS on the GPU) takes
// as they are, and a copy for the others. Shared by tensor/cpu/blas.cpp and
// cuda/blas.cu.
#pragma once
#include <algorithm>
#include <climits>
#include <cstdint>

#include "tensor/kernels/elementwise.h"
#include "tensor/tensor.h"

namespace dgm::kernels {

// How a (rows, cols) matrix with strides (s0, s1) is handed to BLAS, if it can be.
struct Layout {
  bool ok = false;
  bool trans = false;  // stored as the row-major transpose: strides (1, ld)
  int64_t ld = 1;
};

// Row-major (strides (ld, 1), ld >= cols) or its transpose (strides (1, ld),
// ld >= rows); a dim of size 1 takes any stride. BLAS takes ld as a 32-bit int.
inline Layout blas_layout(int64_t rows, int64_t cols, int64_t s0, int64_t s1) {
  const int64_t r = std::max<int64_t>(rows, 1), c = std::max<int64_t>(cols, 1);
  Layout l;
  if ((cols == 1 || s1 == 1) && (rows == 1 || s0 >= c))
    l = {true, false, rows == 1 ? c : s0};
  else if ((rows == 1 || s0 == 1) && (cols == 1 || s1 >= r))
    l = {true, true, cols == 1 ? r : s1};
  if (l.ld > INT_MAX) l.ok = false;
  return l;
}
inline Layout blas_layout(const Tensor& x) { return blas_layout(x.size(-2), x.size(-1), x.stride(-2), x.stride(-1)); }

// x with row-major matrices; batch dims of stride 0 stay broadcast (not copied).
inline Tensor compact(const Tensor& x) {
  Shape small = x.shape();
  for (int64_t d = 0; d < x.dim() - 2; ++d)
    if (x.stride(d) == 0) small[d] = 1;
  Tensor c = copy_to_new(make_view(x, small, x.strides(), x.storage_offset()));
  Shape st = c.strides();
  for (int64_t d = 0; d < x.dim() - 2; ++d)
    if (x.stride(d) == 0) st[d] = 0;
  return make_view(c, x.shape(), st, c.storage_offset());
}

// Layout of x for BLAS, copying x to row-major when it has none.
inline Layout blas_ready(Tensor& x) {
  Layout l = blas_layout(x);
  if (l.ok) return l;
  x = compact(x);
  return blas_layout(x);
}

}  // namespace dgm::kernels
