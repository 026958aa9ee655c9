#include "tensor/shape.h"

#include <algorithm>
#include <limits>

#include "tensor/error.h"

namespace dgm {

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

int64_t checked_numel(std::string_view op, const Shape& shape, int64_t element_size) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t numel = 1, span = 1;  // span: the product of max(size,1), the stride of a leading dim of size 1
  for (int64_t s : shape) {
    DGM_CHECK(s >= 0, op, ": negative size ", s, " in shape ", shape_str(shape));
    const int64_t at_least_one = std::max<int64_t>(s, 1);
    DGM_CHECK(span <= kMax / at_least_one, op, ": shape ", shape_str(shape),
              " is too large (its element count or strides overflow int64)");
    span *= at_least_one;
    numel *= s;  // numel <= span: no overflow
  }
  DGM_CHECK(element_size >= 1 && numel <= kMax / element_size, op, ": shape ", shape_str(shape), " of ", element_size,
            "-byte elements is too large (", numel, " elements; the byte size overflows int64)");
  return numel;
}

int64_t checked_nbytes(std::string_view op, const Shape& shape, int64_t element_size) {
  return checked_numel(op, shape, element_size) * element_size;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + ")";
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    DGM_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
              " cannot be broadcast (", da, " != ", db, " at dim ", i, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  DGM_CHECK(dim >= lo && dim <= hi, op, ": dim ", dim, " out of range for a tensor with ", ndim, " dims (expected [",
            lo, ", ", hi, "])");
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

std::vector<int64_t> wrap_dims(const char* op, const std::vector<int64_t>& dims, int64_t ndim) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(wrap_dim(op, d, ndim));
  std::sort(out.begin(), out.end());
  DGM_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op, ": dim appears twice in the list");
  return out;
}

}  // namespace dgm
