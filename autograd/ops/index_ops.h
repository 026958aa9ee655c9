// Differentiable index ops: gather, scatter, scatter_add, index_select,
// index_add, embedding; and one_hot (int64, no gradient). Index tensors are
// int64; every index is checked, and an out-of-range one throws dgm::Error
// naming the op, the index and the size. x.index({...}) lives here too.
#pragma once
#include "tensor/tensor.h"

namespace dgm {

// out[i][j] = x[index[i][j]][j] (dim 0); out has index's shape.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// A copy of x with out[index[i][j]][j] = src[i][j] (dim 0); out-of-place.
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, double value);
// A copy of x with out[index[i][j]][j] += src[i][j] (dim 0); duplicates add up.
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// Picks the slices index[0], index[1], ... of x along dim (index 1-D).
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// A copy of x with out.select(dim, index[i]) += src.select(dim, i) (index 1-D).
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// int64 tensor of shape index.shape + (num_classes,); -1 means max(index) + 1.
Tensor one_hot(const Tensor& index, int64_t num_classes = -1);
// weight.index_select(0, indices) shaped indices.shape + (D,); the row
// padding_idx (if >= 0) gets no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1);

}  // namespace dgm
