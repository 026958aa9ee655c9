// Index kernels (no autograd): gather, scatter and their 1-D-index cousins.
// Tensors may be any strided views (the int64 index tensor included); results
// are fresh contiguous tensors. Index values must already be checked with
// check_index_range: the kernels trust them.
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

// Throws "op: index V is out of bounds for dim D with size S" for the first
// value of `index` (int64) outside [0, size), or [-size, size) when
// allow_negative. Also rejects non-int64 index tensors.
void check_index_range(const char* op, const Tensor& index, int64_t dim, int64_t size, bool allow_negative = false);

// out[p] = x[p with p[dim] replaced by index[p]], for p over index's shape
// (index.size(d) <= x.size(d) for d != dim). out has index's shape.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);

// dst[p with p[dim] replaced by index[p]] = src[p] (or += when accumulate),
// for p over index's shape, in row-major order of p (so the last write wins
// and duplicates accumulate). Writes into dst in place.
void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);

// x.index_select(dim, index) for a 1-D index: out.select(dim, i) = x.select(dim, index[i]).
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);

// dst.select(dim, index[i]) += src.select(dim, i), in place; index 1-D.
void index_add_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src);

}  // namespace dgm::kernels
