// Shapes and strides, counted in elements. A contiguous (row-major) tensor of
// shape (A,B,C) has strides (B*C, C, 1); element (i,j,k) sits at
// offset + i*B*C + j*C + k in its storage.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dgm {

using Shape = std::vector<int64_t>;

// For shapes already checked (those of existing tensors): no overflow checks.
int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);

// Every shape that enters dgm from outside (factories, views, file headers)
// passes here before a stride or an allocation is computed: dgm::Error naming
// `op` and the shape on a negative size, or when the element count, the
// product of max(size,1) (the largest contiguous stride) or the byte size
// (elements * element_size) does not fit in int64. Returns the element count.
int64_t checked_numel(std::string_view op, const Shape& shape, int64_t element_size = 1);
// The byte size numel * element_size of a shape, checked as checked_numel.
int64_t checked_nbytes(std::string_view op, const Shape& shape, int64_t element_size);
std::string shape_str(const Shape& shape);  // "(3,4)"; "()" for a scalar

// Broadcast two shapes by NumPy's rule (align right; sizes equal or 1).
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// A dim in [-ndim, ndim) made non-negative; throws naming `op` otherwise.
int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim);

// A list of dims made non-negative and sorted; empty means "all dims".
std::vector<int64_t> wrap_dims(const char* op, const std::vector<int64_t>& dims, int64_t ndim);

}  // namespace dgm
