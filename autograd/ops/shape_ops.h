// Differentiable shape ops that copy: cat, stack, pad, repeat, flip, triu, tril.
// (Views that copy nothing live in view_ops.cpp.)
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm {

// Joins tensors along an existing dim; dtypes are promoted, all other sizes
// must match. 1-D empty tensors are skipped, as in PyTorch.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Joins equally shaped tensors along a new dim.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Constant padding in F.pad's order, last dim first: {left, right, top, bottom, ...}.
// Negative pads crop.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value = 0);
Tensor repeat(const Tensor& x, const Shape& repeats);
Tensor flip(const Tensor& x, const std::vector<int64_t>& dims);
// Upper / lower triangle of the last two dims (diagonal k: 0 main, > 0 above).
Tensor triu(const Tensor& x, int64_t diagonal = 0);
Tensor tril(const Tensor& x, int64_t diagonal = 0);

}  // namespace dgm
