// Copies and conversions.
#include "autograd/node.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"

namespace dgm {

using autograd::record;
using autograd::Saves;

// d contiguous(x) = g
Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return record(
      "contiguous", kernels::copy_to_new(*this), {*this}, [](const Tensor& g) { return std::vector{g}; },
      Saves::Nothing);
}

// d clone(x) = g
Tensor Tensor::clone() const {
  return record(
      "clone", kernels::copy_to_new(*this), {*this}, [](const Tensor& g) { return std::vector{g}; }, Saves::Nothing);
}

// d x.to(dtype) = g.to(x.dtype)   (floating point to floating point only)
Tensor Tensor::to(DType t) const {
  if (t == dtype()) return *this;
  Tensor out = kernels::copy_to_new(*this, t);
  if (!is_floating(t)) return out;
  return record(
      "to", out, {*this}, [from = dtype()](const Tensor& g) { return std::vector{g.to(from)}; }, Saves::Nothing);
}

// d x.to(device) = g.to(x.device)
Tensor Tensor::to(Device d) const {
  if (d == device()) return *this;
  Tensor out = empty(shape(), dtype(), d);
  kernels::copy(out, *this);
  if (!is_floating(dtype())) return out;
  return record(
      "to", out, {*this}, [from = device()](const Tensor& g) { return std::vector{g.to(from)}; }, Saves::Nothing);
}

}  // namespace dgm
