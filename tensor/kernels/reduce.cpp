// The reduction and scan kernels' front door: checks, the output's shape,
// then the backend (tensor/cpu/reduce.cpp and scan.cpp, cuda/reduce.cu and scan.cu).
#include "tensor/kernels/reduce.h"

#include "tensor/backend/dispatch.h"
#include "tensor/kernels/elementwise.h"

namespace dgm::kernels {

Tensor reduce(Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Device device = backend::one_device("reduce", {&x});
  std::vector<bool> reduced(x.dim(), false);
  for (int64_t d : dims) {
    DGM_CHECK(d >= 0 && d < x.dim(), "reduce: dim ", d, " out of range for shape ", shape_str(x.shape()));
    reduced[d] = true;
  }
  Shape out_shape;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!reduced[d])
      out_shape.push_back(x.size(d));
    else if (keepdim)
      out_shape.push_back(1);
  }
  if (op == Reduce::Max || op == Reduce::Min)
    for (int64_t d : dims)
      DGM_CHECK(x.size(d) > 0, op == Reduce::Max ? "max" : "min", ": cannot reduce over dim ", d, " of size 0 (shape ",
                shape_str(x.shape()), ")");
  DGM_CHECK(x.dtype() != kBool, "reduce: bool tensors are reduced through .to(kInt64) first");
  Tensor out = empty(out_shape, x.dtype(), device);
  if (out.numel() > 0) DGM_BACKEND(device, reduce(op, out, x, dims));
  return out;
}

std::pair<Tensor, Tensor> arg_reduce(ArgReduce op, const Tensor& x, int64_t dim, bool keepdim) {
  const char* name = op == ArgReduce::Max ? "argmax" : "argmin";
  const Device device = backend::one_device(name, {&x});
  DGM_CHECK(dim >= 0 && dim < x.dim(), name, ": dim ", dim, " out of range for shape ", shape_str(x.shape()));
  DGM_CHECK(x.size(dim) > 0, name, ": cannot reduce over dim ", dim, " of size 0 (shape ", shape_str(x.shape()), ")");
  Shape out_shape = x.shape();
  if (keepdim)
    out_shape[dim] = 1;
  else
    out_shape.erase(out_shape.begin() + dim);
  Tensor values = empty(out_shape, x.dtype(), device);
  Tensor indices = empty(out_shape, kInt64, device);
  if (values.numel() > 0) DGM_BACKEND(device, arg_reduce(op, values, indices, x, dim));
  return {values, indices};
}

Tensor scan(Scan op, const Tensor& x, int64_t dim, bool reverse) {
  const char* name = op == Scan::Sum ? "cumsum" : "cumprod";
  const Device device = backend::one_device(name, {&x});
  DGM_CHECK(dim >= 0 && dim < x.dim(), name, ": dim ", dim, " out of range for shape ", shape_str(x.shape()));
  Tensor out = empty(x.shape(), x.dtype(), device);
  if (x.numel() > 0) DGM_BACKEND(device, scan(op, out, x, dim, reverse));
  return out;
}

}  // namespace dgm::kernels
