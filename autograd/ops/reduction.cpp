// Reductions and their gradients. A reduced dim's gradient is broadcast back
// over that dim: g is first given its kept (size-1) dims again.
#include "autograd/ops/reduction.h"

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"
#include "tensor/kernels/reduce.h"

namespace dgm {

using autograd::record;

namespace {
// g of a reduction with keepdim=false, given back its reduced dims as size 1.
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& dims, bool keepdim) {
  if (keepdim) return g;
  Shape s = in_shape;
  for (int64_t d : dims) s[d] = 1;
  return g.reshape(s);
}
}  // namespace

// d sum(x) = g broadcast back to x's shape
Tensor sum(const Tensor& x_, const std::vector<int64_t>& dims_, bool keepdim) {
  Tensor x = x_.is_floating_point() ? x_ : x_.to(kInt64);  // bool sums count
  std::vector<int64_t> dims = wrap_dims("sum", dims_, x.dim());
  Tensor out = kernels::reduce(kernels::Reduce::Sum, x, dims, keepdim);
  return record("sum", out, {x}, [in_shape = x.shape(), dims, keepdim](const Tensor& g) {
    return std::vector{unsqueeze_reduced(g, in_shape, dims, keepdim).expand(in_shape)};
  });
}

// mean = sum / (number of reduced elements)
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims_, bool keepdim) {
  DGM_CHECK(x.is_floating_point(), "mean: expected a floating point tensor, got ", dtype_name(x.dtype()),
            "; convert with .to(kFloat32)");
  std::vector<int64_t> dims = wrap_dims("mean", dims_, x.dim());
  int64_t n = 1;
  for (int64_t d : dims) n *= x.size(d);
  return sum(x, dims, keepdim) / static_cast<double>(n);
}

Tensor Tensor::sum() const { return dgm::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return dgm::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const { return dgm::mean(*this, dims, keepdim); }

}  // namespace dgm
