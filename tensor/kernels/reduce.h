// Reduction kernels (no autograd).
#pragma once
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::kernels {

enum class Reduce { Sum, Prod, Max, Min };

// Reduces over `dims` (sorted, non-negative, possibly all). Sum and Prod of
// float32 accumulate in float64. Max/Min propagate NaN.
Tensor reduce(Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim);
// PyTorch's names, as the profiler shows them: sum, prod, amax, amin.
const char* op_name(Reduce op);

enum class ArgReduce { Max, Min };

// Values and int64 indices of the max (min) along `dim` (non-negative, x has
// >= 1 dim of size > 0 there). Ties pick the first index; a NaN wins over
// every number (the first NaN), as in PyTorch.
std::pair<Tensor, Tensor> arg_reduce(ArgReduce op, const Tensor& x, int64_t dim, bool keepdim);
// max_dim, min_dim (torch.max(x, dim)).
const char* op_name(ArgReduce op);

enum class Scan { Sum, Prod };

// Inclusive cumulative sum (product) along `dim`; reverse=true runs from the
// last element to the first: out[i] = x[i] + x[i+1] + ... . float32
// accumulates in float64. Output is contiguous with x's shape and dtype.
Tensor scan(Scan op, const Tensor& x, int64_t dim, bool reverse = false);
// cumsum, cumprod.
const char* op_name(Scan op);

}  // namespace dgm::kernels
