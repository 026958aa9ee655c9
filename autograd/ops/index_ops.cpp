// Gather/scatter family and their gradients. Forward passes run the index
// kernels; gradients are written with these same differentiable ops, so they
// can be differentiated again:
//   gather <-> scatter_add,   index_select <-> index_add.
#include "autograd/ops/index_ops.h"

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/index.h"

namespace dgm {

using autograd::also_reads;
using autograd::NeedsGrad;
using autograd::record;
using autograd::Saves;

namespace {

// gather/scatter shape rules: index has x's number of dims, index.size(d) <=
// x.size(d) for d != dim, and (scatter) index.size(d) <= src.size(d) for all d.
void check_index_shape(const char* op, const Tensor& x, int64_t dim, const Tensor& index, const Tensor* src) {
  DGM_CHECK(index.dtype() == kInt64, op, ": index must be an int64 tensor, got ", dtype_name(index.dtype()));
  DGM_CHECK(index.dim() == x.dim(), op, ": index ", shape_str(index.shape()), " must have as many dims as self ",
            shape_str(x.shape()));
  for (int64_t d = 0; d < x.dim(); ++d) {
    DGM_CHECK(d == dim || index.size(d) <= x.size(d), op, ": index ", shape_str(index.shape()),
              " must be no larger than self ", shape_str(x.shape()), " apart from dim ", dim, " (dim ", d, ")");
    if (src)
      DGM_CHECK(src->dim() == x.dim() && index.size(d) <= src->size(d), op, ": index ", shape_str(index.shape()),
                " must be no larger than src ", shape_str(src->shape()), " (dim ", d, ")");
  }
  if (src)
    DGM_CHECK(src->dtype() == x.dtype(), op, ": self and src must have the same dtype, got ", dtype_name(x.dtype()),
              " and ", dtype_name(src->dtype()));
}

// A gradient of index's shape, zero-padded (at the end of each dim) to `shape`.
Tensor pad_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  std::vector<int64_t> pads;
  for (int64_t d = g.dim() - 1; d >= 0; --d) {
    pads.push_back(0);
    pads.push_back(shape[d] - g.size(d));
  }
  return pad(g, pads);
}

Tensor check_index_1d(const char* op, const Tensor& x, int64_t dim, const Tensor& index) {
  DGM_CHECK(index.dim() <= 1, op, ": index must be 0-D or 1-D, got shape ", shape_str(index.shape()));
  kernels::check_index_range(op, index, dim, x.size(dim));
  return index.reshape({index.numel()});
}

}  // namespace

// d gather(x, i) = scatter_add(zeros_like(x), i, g)
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  dim = wrap_dim("gather", dim, x.dim());
  check_index_shape("gather", x, dim, index, nullptr);
  kernels::check_index_range("gather", index, dim, x.size(dim));
  return also_reads(
      record(
          "gather", kernels::gather(x, dim, index), {x},
          [dim, index, shape = x.shape()](const Tensor& g) {
            return std::vector{scatter_add(zeros(shape, TensorOptions(g.dtype()).device(g.device())), dim, index, g)};
          },
          Saves::Nothing),
      "index", index);
}

// d scatter(x, i, src) = (scatter(g, i, 0), gather(g, i))   (src's unused part gets 0)
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = wrap_dim("scatter", dim, x.dim());
  check_index_shape("scatter", x, dim, index, &src);
  kernels::check_index_range("scatter", index, dim, x.size(dim));
  Tensor out = kernels::copy_to_new(x);
  kernels::scatter_(out, dim, index, src, /*accumulate=*/false);
  return also_reads(record(
                        "scatter", out, {x, src},
                        [dim, index, src_shape = src.shape()](const Tensor& g, const NeedsGrad& needs) {
                          return std::vector{needs[0] ? scatter(g, dim, index, 0.0) : Tensor(),
                                             needs[1] ? pad_to(gather(g, dim, index), src_shape) : Tensor()};
                        },
                        Saves::Nothing),
                    "index", index);
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, double value) {
  return scatter(x, dim, index, full(index.shape(), value, TensorOptions(x.dtype()).device(x.device())));
}

// d scatter_add(x, i, src) = (g, gather(g, i))
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = wrap_dim("scatter_add", dim, x.dim());
  check_index_shape("scatter_add", x, dim, index, &src);
  kernels::check_index_range("scatter_add", index, dim, x.size(dim));
  Tensor out = kernels::copy_to_new(x);
  kernels::scatter_(out, dim, index, src, /*accumulate=*/true);
  return also_reads(
      record(
          "scatter_add", out, {x, src},
          [dim, index, src_shape = src.shape()](const Tensor& g, const NeedsGrad& needs) {
            return std::vector{needs[0] ? g : Tensor(), needs[1] ? pad_to(gather(g, dim, index), src_shape) : Tensor()};
          },
          Saves::Nothing),
      "index", index);
}

// d index_select(x, i) = index_add(zeros_like(x), i, g)   (repeated indices accumulate)
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index_) {
  dim = wrap_dim("index_select", dim, x.dim());
  Tensor index = check_index_1d("index_select", x, dim, index_);
  return also_reads(
      record(
          "index_select", kernels::index_select(x, dim, index), {x},
          [dim, index, shape = x.shape()](const Tensor& g) {
            return std::vector{index_add(zeros(shape, TensorOptions(g.dtype()).device(g.device())), dim, index, g)};
          },
          Saves::Nothing),
      "index", index);
}

// d index_add(x, i, src) = (g, index_select(g, i))
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index_, const Tensor& src) {
  dim = wrap_dim("index_add", dim, x.dim());
  Tensor index = check_index_1d("index_add", x, dim, index_);
  Shape want = x.shape();
  if (x.dim() > 0) want[dim] = index.numel();
  DGM_CHECK(src.shape() == want, "index_add: src of shape ", shape_str(src.shape()), " should have shape ",
            shape_str(want), " (self ", shape_str(x.shape()), " with dim ", dim, " of the index's length)");
  DGM_CHECK(src.dtype() == x.dtype(), "index_add: self and src must have the same dtype, got ", dtype_name(x.dtype()),
            " and ", dtype_name(src.dtype()));
  Tensor out = kernels::copy_to_new(x);
  kernels::index_add_(out, dim, index, src);
  return also_reads(
      record(
          "index_add", out, {x, src},
          [dim, index](const Tensor& g, const NeedsGrad& needs) {
            return std::vector{needs[0] ? g : Tensor(), needs[1] ? index_select(g, dim, index) : Tensor()};
          },
          Saves::Nothing),
      "index", index);
}

Tensor one_hot(const Tensor& index, int64_t num_classes) {
  DGM_CHECK(index.dtype() == kInt64, "one_hot: index must be an int64 tensor, got ", dtype_name(index.dtype()));
  if (num_classes < 0) {
    DGM_CHECK(index.numel() > 0, "one_hot: cannot infer num_classes from an empty tensor; pass it");
    num_classes = 0;
    for (int64_t v : index.to_vector<int64_t>()) num_classes = std::max(num_classes, v + 1);
  }
  kernels::check_index_range("one_hot", index, index.dim(), num_classes);
  Shape s = index.shape();
  s.push_back(num_classes);
  Tensor out = zeros(s, TensorOptions(kInt64).device(index.device()));
  Tensor slot = index.unsqueeze(-1);
  Tensor one = ones({}, TensorOptions(kInt64).device(index.device()));
  kernels::scatter_(out, index.dim(), slot, one.expand(slot.shape()), /*accumulate=*/false);
  return out;
}

// d embedding(w, i) = index_add(zeros_like(w), i, g) with the padding_idx rows of g zeroed
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  DGM_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape ",
            shape_str(weight.shape()));
  DGM_CHECK(padding_idx < weight.size(0), "embedding: padding_idx ", padding_idx, " is out of range for ",
            weight.size(0), " embeddings");
  kernels::check_index_range("embedding", indices, 0, weight.size(0));
  Tensor flat = indices.reshape({indices.numel()});
  Shape s = indices.shape();
  s.push_back(weight.size(1));
  Tensor out = kernels::index_select(weight, 0, flat).view(s);
  return also_reads(
      record(
          "embedding", out, {weight},
          [flat, padding_idx, shape = weight.shape()](const Tensor& g) {
            Tensor rows = g.reshape({flat.numel(), shape[1]});
            if (padding_idx >= 0) rows = where(flat.eq(static_cast<double>(padding_idx)).unsqueeze(1), 0.0, rows);
            return std::vector{index_add(zeros(shape, TensorOptions(g.dtype()).device(g.device())), 0, flat, rows)};
          },
          Saves::Nothing),
      "indices", flat);
}

// ---- x.index({...}): Python's x[...] ----
// Integers select, slices slice, None unsqueezes (all views). Tensor indices
// (int64, negative counting from the end; bool masks become the int64
// coordinates of their true elements) are "advanced": they broadcast together
// to a shape B and pick elements, the indexed dims replaced by B. If the
// indexed dims are not adjacent, B goes first (NumPy and PyTorch's rule).
// Under the hood this is one index_select on the indexed dims flattened.
namespace {

struct Advanced {
  int64_t dim;   // dim of the view the index applies to
  Tensor index;  // int64
};

// The coordinates (one int64 1-D tensor per mask dim) of a bool mask's true elements.
std::vector<Tensor> mask_coordinates(const Tensor& mask) {
  std::vector<bool> v = mask.to_vector<bool>();
  const int64_t k = mask.dim();
  std::vector<std::vector<int64_t>> coords(k);
  for (int64_t flat = 0; flat < static_cast<int64_t>(v.size()); ++flat) {
    if (!v[flat]) continue;
    for (int64_t d = k - 1, rest = flat; d >= 0; --d) {
      coords[d].push_back(rest % mask.size(d));
      rest /= mask.size(d);
    }
  }
  std::vector<Tensor> out;
  for (auto& c : coords) out.push_back(tensor(c, {static_cast<int64_t>(c.size())}).to(mask.device()));
  return out;
}

Tensor apply_advanced(Tensor x, std::vector<Advanced> adv) {
  // Bring the indexed dims together: in place if adjacent, else to the front.
  bool adjacent = true;
  for (size_t i = 1; i < adv.size(); ++i) adjacent = adjacent && adv[i].dim == adv[i - 1].dim + 1;
  if (!adjacent) {
    std::vector<int64_t> order;
    std::vector<bool> used(x.dim(), false);
    for (auto& a : adv) {
      order.push_back(a.dim);
      used[a.dim] = true;
    }
    for (int64_t d = 0; d < x.dim(); ++d)
      if (!used[d]) order.push_back(d);
    x = x.permute(order);
    for (size_t i = 0; i < adv.size(); ++i) adv[i].dim = static_cast<int64_t>(i);
  }
  const int64_t first = adv.front().dim, count = static_cast<int64_t>(adv.size());
  // Broadcast the indices, wrap negatives, and combine them into one index
  // into the indexed dims flattened (row-major).
  Shape b = adv[0].index.shape();
  for (auto& a : adv) b = broadcast_shapes("index", b, a.index.shape());
  Tensor linear;
  for (auto& a : adv) {
    const int64_t n = x.size(a.dim);
    kernels::check_index_range("index", a.index, a.dim, n, /*allow_negative=*/true);
    Tensor i = where(a.index.lt(0.0), a.index + static_cast<double>(n), a.index).expand(b);
    linear = linear.defined() ? linear * static_cast<double>(n) + i : i;
  }
  Shape s(x.shape().begin(), x.shape().begin() + first);
  s.push_back(-1);
  s.insert(s.end(), x.shape().begin() + first + count, x.shape().end());
  Tensor picked = x.reshape(s).index_select(first, linear.reshape({-1}));
  Shape out(picked.shape().begin(), picked.shape().begin() + first);
  out.insert(out.end(), b.begin(), b.end());
  out.insert(out.end(), picked.shape().begin() + first + 1, picked.shape().end());
  return picked.reshape(out);
}

}  // namespace

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  Tensor x = *this;
  int64_t d = 0;  // the dim of x the next index applies to
  std::vector<Advanced> adv;
  auto need = [&](int64_t k) {
    DGM_CHECK(d + k <= x.dim(), "index: too many indices for a tensor of shape ", shape_str(shape()));
  };
  for (const TensorIndex& ti : indices) {
    switch (ti.kind) {
      case TensorIndex::Kind::Integer:
        need(1);
        x = x.select(d, ti.integer);
        break;
      case TensorIndex::Kind::Slice:
        need(1);
        DGM_CHECK(ti.slice.step > 0, "index: slice step must be positive, got ", ti.slice.step);
        x = x.slice(d, ti.slice.start, ti.slice.stop, ti.slice.step);
        ++d;
        break;
      case TensorIndex::Kind::None:
        x = x.unsqueeze(d);
        ++d;
        break;
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = ti.tensor;
        DGM_CHECK(t.defined(), "index: got an undefined index tensor");
        if (t.dtype() == kBool) {
          need(t.dim());
          for (int64_t k = 0; k < t.dim(); ++k)
            DGM_CHECK(t.size(k) == x.size(d + k), "index: mask of shape ", shape_str(t.shape()),
                      " does not match the indexed shape ", shape_str(x.shape()), " at dim ", d + k);
          for (Tensor& c : mask_coordinates(t)) adv.push_back({d++, c});
        } else {
          DGM_CHECK(t.dtype() == kInt64, "index: tensors used as indices must be int64 or bool, got ",
                    dtype_name(t.dtype()));
          need(1);
          adv.push_back({d++, t});
        }
        break;
      }
    }
  }
  return adv.empty() ? x : apply_advanced(x, adv);
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return index(std::vector<TensorIndex>(indices));
}

Tensor Tensor::gather(int64_t dim, const Tensor& index) const { return dgm::gather(*this, dim, index); }
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return dgm::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return dgm::scatter_add(*this, dim, index, src);
}
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return dgm::index_select(*this, dim, index); }

}  // namespace dgm
