// Reduction kernels (no autograd).
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm::kernels {

enum class Reduce { Sum, Prod, Max, Min };

// Reduces over `dims` (sorted, non-negative, possibly all). Sum and Prod of
// float32 accumulate in float64. Max/Min propagate NaN.
Tensor reduce(Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim);

}  // namespace dgm::kernels
