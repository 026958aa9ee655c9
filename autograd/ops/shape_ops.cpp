// Shape ops that build a new tensor: each forward copies with kernels::copy
// into a fresh tensor, and each gradient is written with differentiable ops
// (slices, reshapes, sums), so it can be differentiated again.
#include "autograd/ops/shape_ops.h"

#include <algorithm>

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"

namespace dgm {

using autograd::NeedsGrad;
using autograd::record;
using autograd::Saves;

namespace {

// Keeps element (i, j) of each trailing matrix where keep(j - i) holds.
template <typename Keep>
Tensor triangle(const char* name, const Tensor& x, Keep keep) {
  DGM_CHECK(x.dim() >= 2, name, ": expects a tensor with at least 2 dims, got shape ", shape_str(x.shape()));
  const int64_t n = x.size(-2), m = x.size(-1);
  const TensorOptions on_x = TensorOptions(kInt64).device(x.device());
  Tensor rows = arange(0, static_cast<double>(n), 1, on_x).unsqueeze(1);
  Tensor cols = arange(0, static_cast<double>(m), 1, on_x).unsqueeze(0);
  Tensor mask = keep(cols - rows).expand(x.shape());
  Tensor out = kernels::where(mask, x, zeros(x.shape(), TensorOptions(x.dtype()).device(x.device())));
  return out;
}

}  // namespace

// d cat(x_0, x_1, ...) = (g.narrow(dim, 0, n_0), g.narrow(dim, n_0, n_1), ...)
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  DGM_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  std::vector<Tensor> parts;
  std::vector<size_t> position;  // index in `tensors`, for messages
  for (size_t i = 0; i < tensors.size(); ++i) {
    DGM_CHECK(tensors[i].defined(), "cat: tensor ", i, " is undefined");
    if (tensors[i].dim() == 1 && tensors[i].numel() == 0) continue;  // legacy: skip 1-D empties
    parts.push_back(tensors[i]);
    position.push_back(i);
  }
  if (parts.empty()) return tensors[0].clone();
  const Tensor& ref = parts[0];
  DGM_CHECK(ref.dim() > 0, "cat: zero-dimensional tensor (at position ", position[0], ") cannot be concatenated");
  dim = wrap_dim("cat", dim, ref.dim());
  DType dtype = ref.dtype();
  Shape shape = ref.shape();
  shape[dim] = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    const Tensor& t = parts[k];
    bool same = t.dim() == ref.dim();
    for (int64_t d = 0; same && d < ref.dim(); ++d) same = d == dim || t.size(d) == ref.size(d);
    DGM_CHECK(same, "cat: sizes must match except in dim ", dim, ", but tensor ", position[k], " has shape ",
              shape_str(t.shape()), " and tensor ", position[0], " has shape ", shape_str(ref.shape()));
    DGM_CHECK(t.device() == ref.device(), "cat: expected all tensors on the same device, got ", ref.device().str(),
              " and ", t.device().str());
    dtype = promote_types(dtype, t.dtype());
    shape[dim] += t.size(dim);
  }
  std::vector<int64_t> sizes;
  Tensor out = empty(shape, dtype, ref.device());
  int64_t offset = 0;
  for (Tensor& t : parts) {
    t = t.to(dtype);  // differentiable; the gradient goes back to the input's dtype
    kernels::copy(out.narrow(dim, offset, t.size(dim)), t);
    sizes.push_back(t.size(dim));
    offset += t.size(dim);
  }
  return record(
      "cat", out, parts,
      [dim, sizes](const Tensor& g, const NeedsGrad& needs) {
        std::vector<Tensor> grads(sizes.size());
        int64_t start = 0;
        for (size_t k = 0; k < sizes.size(); ++k) {
          if (needs[k]) grads[k] = g.narrow(dim, start, sizes[k]);
          start += sizes[k];
        }
        return grads;
      },
      Saves::Nothing);
}

// stack = cat of unsqueezed tensors (its gradient comes from cat and unsqueeze)
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  DGM_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  dim = wrap_dim("stack", dim, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    DGM_CHECK(tensors[i].defined(), "stack: tensor ", i, " is undefined");
    DGM_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: expects each tensor to be equal size, but got ",
              shape_str(tensors[0].shape()), " at entry 0 and ", shape_str(tensors[i].shape()), " at entry ", i);
    parts.push_back(tensors[i].unsqueeze(dim));
  }
  return cat(parts, dim);
}

// d pad(x) = g.narrow to the region x was copied into (a crop's gradient
// comes from the slice that made it)
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  const int64_t n = static_cast<int64_t>(pads.size());
  DGM_CHECK(n % 2 == 0, "pad: padding length must be even, got ", n);
  DGM_CHECK(n / 2 <= x.dim(), "pad: padding length ", n, " is too long for a tensor of shape ", shape_str(x.shape()),
            " (at most ", 2 * x.dim(), ")");
  Tensor inner = x;  // x after the crops (negative pads)
  std::vector<int64_t> before(x.dim(), 0);
  Shape out_shape = x.shape();
  for (int64_t i = 0; i < n / 2; ++i) {
    const int64_t d = x.dim() - 1 - i, lo = pads[2 * i], hi = pads[2 * i + 1];
    const int64_t kept = x.size(d) - std::max<int64_t>(-lo, 0) - std::max<int64_t>(-hi, 0);
    DGM_CHECK(kept >= 0, "pad: padding (", lo, ", ", hi, ") crops more than dim ", d, " of shape ",
              shape_str(x.shape()), " holds");
    if (lo < 0) inner = inner.slice(d, -lo);
    if (hi < 0) inner = inner.slice(d, 0, inner.size(d) + hi);
    before[d] = std::max<int64_t>(lo, 0);
    out_shape[d] = kept + before[d] + std::max<int64_t>(hi, 0);
  }
  Tensor out = full(out_shape, value, TensorOptions(x.dtype()).device(x.device()));
  Tensor region = out;
  for (int64_t d = 0; d < x.dim(); ++d) region = region.narrow(d, before[d], inner.size(d));
  kernels::copy(region, inner);
  return record(
      "constant_pad_nd", out, {inner},
      [before, in_shape = inner.shape()](const Tensor& g) {
        Tensor r = g;
        for (size_t d = 0; d < in_shape.size(); ++d)
          if (r.size(d) != in_shape[d]) r = r.narrow(d, before[d], in_shape[d]);
        return std::vector{r};
      },
      Saves::Nothing);
}

// d repeat(x, r) = sum of g's tiles: g viewed as (r0, s0, r1, s1, ...) summed over the r's
Tensor repeat(const Tensor& x, const Shape& repeats) {
  const int64_t n = static_cast<int64_t>(repeats.size());
  DGM_CHECK(n >= x.dim(), "repeat: number of repeats ", shape_str(repeats),
            " can not be smaller than number of dims of the tensor, shape ", shape_str(x.shape()));
  Shape tiled(2 * n), tiled_strides(2 * n), out_shape(n);
  std::vector<int64_t> tile_dims;
  for (int64_t i = 0; i < n; ++i) {
    DGM_CHECK(repeats[i] >= 0, "repeat: repeats must be non-negative, got ", shape_str(repeats));
    const int64_t j = i - (n - x.dim());  // matching dim of x, if any
    const int64_t s = j >= 0 ? x.size(j) : 1;
    tiled[2 * i] = repeats[i];
    tiled[2 * i + 1] = s;
    tiled_strides[2 * i] = 0;
    tiled_strides[2 * i + 1] = j >= 0 ? x.stride(j) : 0;
    out_shape[i] = repeats[i] * s;
    tile_dims.push_back(2 * i);
  }
  Tensor out = empty(out_shape, x.dtype(), x.device());
  kernels::copy(out.view(tiled), make_view(x, tiled, tiled_strides, x.storage_offset()));
  return record(
      "repeat", out, {x},
      [tiled, tile_dims, in_shape = x.shape()](const Tensor& g) {
        return std::vector{g.reshape(tiled).sum(tile_dims).reshape(in_shape)};
      },
      Saves::Nothing);
}

// d flip(x, dims) = flip(g, dims)
Tensor flip(const Tensor& x, const std::vector<int64_t>& dims_) {
  // (wrap_dims reads an empty list as "all dims"; flip({}) flips nothing, as in PyTorch)
  const std::vector<int64_t> dims = dims_.empty() ? dims_ : wrap_dims("flip", dims_, x.dim());
  Shape strides = x.strides();
  int64_t offset = x.storage_offset();
  for (int64_t d : dims) {
    if (x.size(d) > 0) offset += (x.size(d) - 1) * strides[d];
    strides[d] = -strides[d];  // walk the dim backwards
  }
  Tensor out = kernels::copy_to_new(make_view(x, x.shape(), strides, offset));
  return record(
      "flip", out, {x}, [dims](const Tensor& g) { return std::vector{flip(g, dims)}; }, Saves::Nothing);
}

// d triu(x, k) = triu(g, k)
Tensor triu(const Tensor& x, int64_t k) {
  Tensor out = triangle("triu", x, [k](const Tensor& j_minus_i) { return j_minus_i.ge(static_cast<double>(k)); });
  return record(
      "triu", out, {x}, [k](const Tensor& g) { return std::vector{triu(g, k)}; }, Saves::Nothing);
}

// d tril(x, k) = tril(g, k)
Tensor tril(const Tensor& x, int64_t k) {
  Tensor out = triangle("tril", x, [k](const Tensor& j_minus_i) { return j_minus_i.le(static_cast<double>(k)); });
  return record(
      "tril", out, {x}, [k](const Tensor& g) { return std::vector{tril(g, k)}; }, Saves::Nothing);
}

Tensor Tensor::repeat(const Shape& repeats) const { return dgm::repeat(*this, repeats); }
Tensor Tensor::flip(const std::vector<int64_t>& dims) const { return dgm::flip(*this, dims); }
Tensor Tensor::triu(int64_t diagonal) const { return dgm::triu(*this, diagonal); }
Tensor Tensor::tril(int64_t diagonal) const { return dgm::tril(*this, diagonal); }

}  // namespace dgm
