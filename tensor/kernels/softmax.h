// The fused softmax kernel (no autograd): one pass to find each row's max, one
// to sum exp(x - max), one to write the result, instead of the five separate
// ops of the composite. "Rows" run along `dim` of a contiguous tensor seen as
// (outer, n, inner): element k of row (o, i) is at o*n*inner + k*inner + i.
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

// softmax(x)[k] = exp(x[k] - m) / sum_j exp(x[j] - m), m = max_j x[j]
// (log: x[k] - m - log sum_j exp(x[j] - m)). x contiguous, float32 or float64;
// float32 rows are summed in float32 on the GPU and in float64 on the CPU.
// A row that is all -inf gives NaN, as in PyTorch.
Tensor softmax(const Tensor& x, int64_t dim, bool log);

}  // namespace dgm::kernels
