// Shapes and strides, counted in elements. A contiguous (row-major) tensor of
// shape (A,B,C) has strides (B*C, C, 1); element (i,j,k) sits at
// offset + i*B*C + j*C + k in its storage.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dgm {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "(3,4)"; "()" for a scalar

// Broadcast two shapes by NumPy's rule (align right; sizes equal or 1).
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// A dim in [-ndim, ndim) made non-negative; throws naming `op` otherwise.
int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim);

// A list of dims made non-negative and sorted; empty means "all dims".
std::vector<int64_t> wrap_dims(const char* op, const std::vector<int64_t>& dims, int64_t ndim);

}  // namespace dgm
