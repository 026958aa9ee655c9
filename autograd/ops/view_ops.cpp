// Views: new shape/strides/offset over the same storage, no copy.
// Gradients of views:
//   view/reshape/squeeze/unsqueeze/flatten:  g.reshape(input shape)
//   permute/transpose:                       g.permute(inverse permutation)
//   expand:                                  sum_to(g, input shape)
//   slice (select, narrow, index):           g placed into zeros of the input's shape
#include <algorithm>
#include <numeric>

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"

namespace dgm {

using autograd::record;
using autograd::Saves;

namespace {

// Strides for viewing x as `shape` without copying, if possible (PyTorch's
// computeStride): each group of old dims that maps onto a group of new dims
// must be contiguous within itself.
std::optional<Shape> view_strides(const Tensor& x, const Shape& shape) {
  const Shape& old_shape = x.shape();
  const Shape& old_strides = x.strides();
  Shape strides(shape.size());
  if (x.numel() == 0 || old_shape.empty()) return contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    if (d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

// Resolves one -1 in a requested shape.
Shape infer_shape(const char* op, const Shape& shape, int64_t numel, const Shape& from) {
  Shape out = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      DGM_CHECK(infer < 0, op, ": only one dimension can be -1, got ", shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      DGM_CHECK(out[i] >= 0, op, ": invalid size ", out[i], " in shape ", shape_str(shape));
    }
  }
  Shape known_sizes = out;  // the sizes given, the -1 left out, checked against int64 overflow
  if (infer >= 0) known_sizes[infer] = 1;
  known = checked_numel(op, known_sizes);
  if (infer >= 0) {
    DGM_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(shape), " is invalid for input of shape ",
              shape_str(from), " (", numel, " elements)");
    out[infer] = numel / known;
  }
  DGM_CHECK(numel_of(out) == numel, op, ": shape ", shape_str(shape), " is invalid for input of shape ",
            shape_str(from), " (", numel, " elements)");
  return out;
}

// A view whose gradient is g.reshape(input shape).
Tensor reshaping_view(const char* name, const Tensor& x, const Shape& shape, const Shape& strides) {
  Tensor out = make_view(x, shape, strides, x.storage_offset());
  return record(
      name, out, {x}, [in_shape = x.shape()](const Tensor& g) { return std::vector{g.reshape(in_shape)}; },
      Saves::Nothing);
}

// d slice(x) = g placed into zeros(x.shape) at the sliced positions.
Tensor slice_backward(const Tensor& g, const Shape& in_shape, int64_t dim, int64_t start, int64_t end, int64_t step);

Tensor slice_backward(const Tensor& g, const Shape& in_shape, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Tensor out = zeros(in_shape, TensorOptions(g.dtype()).device(g.device()));
  kernels::copy(out.detach().slice(dim, start, end, step), g.detach());
  // The gradient of "place g into zeros" with respect to g is the slice itself.
  return record(
      "slice_backward", out, {g},
      [dim, start, end, step](const Tensor& gg) { return std::vector{gg.slice(dim, start, end, step)}; },
      Saves::Nothing);
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  Shape s = infer_shape("view", shape, numel(), this->shape());
  auto strides = view_strides(*this, s);
  DGM_CHECK(strides.has_value(), "view: cannot view a tensor of shape ", shape_str(this->shape()), " and strides ",
            shape_str(this->strides()), " as ", shape_str(s), " without a copy; use reshape");
  return reshaping_view("view", *this, s, *strides);
}

Tensor Tensor::reshape(const Shape& shape) const {
  Shape s = infer_shape("reshape", shape, numel(), this->shape());
  if (s == this->shape()) return *this;
  if (auto strides = view_strides(*this, s)) return reshaping_view("reshape", *this, s, *strides);
  return contiguous().view(s);
}

Tensor Tensor::as_strided(const Shape& shape, const Shape& strides, int64_t offset) const {
  DGM_CHECK(!(requires_grad() && GradMode::is_enabled()),
            "as_strided: not differentiable; use view ops (view, permute, slice, expand) on tensors that require grad");
  DGM_CHECK(shape.size() == strides.size(), "as_strided: shape ", shape_str(shape), " and strides ", shape_str(strides),
            " differ in length");
  return make_view(*this, shape, strides, offset);
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  DGM_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(), " dims for a tensor of shape ",
            shape_str(shape()));
  Shape s(dims.size()), st(dims.size());
  std::vector<int64_t> inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim("permute", dims[i], dim());
    DGM_CHECK(inverse[d] < 0, "permute: dim ", d, " appears twice");
    inverse[d] = static_cast<int64_t>(i);
    s[i] = size(d);
    st[i] = stride(d);
  }
  Tensor out = make_view(*this, s, st, storage_offset());
  // d permute(x, p) = permute(g, p^-1)
  return record(
      "permute", out, {*this}, [inverse](const Tensor& g) { return std::vector{g.permute(inverse)}; }, Saves::Nothing);
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = wrap_dim("transpose", d0, dim());
  d1 = wrap_dim("transpose", d1, dim());
  std::vector<int64_t> p(dim());
  std::iota(p.begin(), p.end(), 0);
  std::swap(p[d0], p[d1]);
  return permute(p);
}

Tensor Tensor::t() const {
  DGM_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dims, got shape ", shape_str(shape()));
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::mT() const {
  DGM_CHECK(dim() >= 2, "mT: expects a tensor with >= 2 dims, got shape ", shape_str(shape()));
  return transpose(-2, -1);
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_, std::optional<int64_t> end_, int64_t step) const {
  d = wrap_dim("slice", d, dim());
  DGM_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = size(d);
  auto clip = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  int64_t start = start_ ? clip(*start_) : 0;
  int64_t end = end_ ? clip(*end_) : n;
  if (end < start) end = start;
  Shape s = shape(), st = strides();
  s[d] = (end - start + step - 1) / step;
  st[d] = stride(d) * step;
  Tensor out = make_view(*this, s, st, storage_offset() + start * stride(d));
  return record(
      "slice", out, {*this},
      [in_shape = shape(), d, start, end, step](const Tensor& g) {
        return std::vector{slice_backward(g, in_shape, d, start, end, step)};
      },
      Saves::Nothing);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = wrap_dim("select", d, dim());
  const int64_t n = size(d);
  DGM_CHECK(index >= -n && index < n, "select: index ", index, " is out of range for dim ", d, " of size ", n,
            " (shape ", shape_str(shape()), ")");
  if (index < 0) index += n;
  return slice(d, index, index + 1).squeeze(d);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim("narrow", d, dim());
  if (start < 0) start += size(d);
  DGM_CHECK(start >= 0 && length >= 0 && start + length <= size(d), "narrow: [", start, ", ", start + length,
            ") is out of range for dim ", d, " of size ", size(d));
  return slice(d, start, start + length);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim("unsqueeze", d, dim() + 1);
  Shape s = shape(), st = strides();
  int64_t new_stride = d < dim() ? stride(d) * size(d) : 1;
  s.insert(s.begin() + d, 1);
  st.insert(st.begin() + d, new_stride);
  return reshaping_view("unsqueeze", *this, s, st);
}

Tensor Tensor::squeeze() const {
  Shape s, st;
  for (int64_t d = 0; d < dim(); ++d)
    if (size(d) != 1) {
      s.push_back(size(d));
      st.push_back(stride(d));
    }
  return s.size() == shape().size() ? *this : reshaping_view("squeeze", *this, s, st);
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return *this;
  d = wrap_dim("squeeze", d, dim());
  if (size(d) != 1) return *this;
  Shape s = shape(), st = strides();
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  return reshaping_view("squeeze", *this, s, st);
}

Tensor Tensor::expand(const Shape& shape_) const {
  const int64_t n = static_cast<int64_t>(shape_.size());
  DGM_CHECK(n >= dim(), "expand: cannot expand shape ", shape_str(shape()), " to ", shape_str(shape_), " (fewer dims)");
  Shape s(n), st(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    int64_t j = i - (n - dim());  // matching dim of this tensor, if any
    int64_t want = shape_[i];
    if (j >= 0) {
      if (want == -1) want = size(j);
      DGM_CHECK(want >= 0, "expand: invalid size ", want, " in shape ", shape_str(shape_), " (only -1 keeps a size)");
      DGM_CHECK(size(j) == want || size(j) == 1, "expand: cannot expand shape ", shape_str(shape()), " to ",
                shape_str(shape_), " (size ", size(j), " at dim ", j, " is not 1)");
      s[i] = want;
      st[i] = size(j) == want ? stride(j) : 0;
    } else {
      DGM_CHECK(want >= 0, "expand: -1 is not allowed for a new leading dim, got ", shape_str(shape_));
      s[i] = want;
      st[i] = 0;
    }
  }
  if (s == shape()) return *this;
  Tensor out = make_view(*this, s, st, storage_offset());
  // d expand(x) = sum of g over the broadcast dims
  return record(
      "expand", out, {*this}, [in_shape = shape()](const Tensor& g) { return std::vector{sum_to(g, in_shape)}; },
      Saves::Nothing);
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  if (dim() == 0) return reshape({1});
  start = wrap_dim("flatten", start, dim());
  end = wrap_dim("flatten", end, dim());
  DGM_CHECK(start <= end, "flatten: start_dim ", start, " is after end_dim ", end);
  Shape s(shape().begin(), shape().begin() + start);
  int64_t m = 1;
  for (int64_t d = start; d <= end; ++d) m *= size(d);
  s.push_back(m);
  s.insert(s.end(), shape().begin() + end + 1, shape().end());
  return reshape(s);
}

Tensor Tensor::unflatten(int64_t d, const Shape& sizes) const {
  d = wrap_dim("unflatten", d, dim());
  Shape s(shape().begin(), shape().begin() + d);
  Shape inner = infer_shape("unflatten", sizes, size(d), {size(d)});
  s.insert(s.end(), inner.begin(), inner.end());
  s.insert(s.end(), shape().begin() + d + 1, shape().end());
  return view(s);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  d = wrap_dim("split", d, dim());
  DGM_CHECK(split_size > 0 || size(d) == 0, "split: split_size must be positive, got ", split_size);
  std::vector<int64_t> sizes;
  for (int64_t start = 0; start < size(d); start += split_size) sizes.push_back(std::min(split_size, size(d) - start));
  if (sizes.empty()) sizes.push_back(0);
  return split(sizes, d);
}

std::vector<Tensor> Tensor::split(const std::vector<int64_t>& sizes, int64_t d) const {
  d = wrap_dim("split", d, dim());
  int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
  DGM_CHECK(total == size(d), "split: sizes sum to ", total, " but dim ", d, " has size ", size(d));
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : sizes) {
    parts.push_back(narrow(d, start, s));
    start += s;
  }
  return parts;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  DGM_CHECK(chunks > 0, "chunk: number of chunks must be positive, got ", chunks);
  d = wrap_dim("chunk", d, dim());
  int64_t each = (size(d) + chunks - 1) / chunks;
  return split(std::max<int64_t>(each, 1), d);
}

std::vector<Tensor> Tensor::unbind(int64_t d) const {
  d = wrap_dim("unbind", d, dim());
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < size(d); ++i) parts.push_back(select(d, i));
  return parts;
}

}  // namespace dgm
