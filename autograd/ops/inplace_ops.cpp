// In-place ops on a tensor's data, outside the graph: they record nothing, and
// refuse a tensor that requires grad while grad mode is on (the graph could
// not see the update). Defined here rather than in tensor/ because that rule
// is autograd's: tensor/ does not know about grad mode. Each writes through
// kernels::copy or kernels::fill, which bump the tensor's version (a backward
// that saved it then refuses to run: autograd/engine.cpp).
#include "autograd/grad_mode.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/tensor.h"

namespace dgm {

namespace {
void check_inplace(const char* op, const Tensor& t) {
  DGM_CHECK(!(t.requires_grad() && GradMode::is_enabled()), op,
            ": in-place update of a tensor that requires grad (shape ", shape_str(t.shape()),
            "); wrap it in NoGradGuard or use the out-of-place op");
}
// `other` broadcast to t's shape and converted to t's dtype and device.
Tensor operand_for(const Tensor& t, const Tensor& other) {
  Tensor o = other.detach();
  if (o.device() != t.device()) o = o.to(t.device());
  if (o.dtype() != t.dtype()) o = o.to(t.dtype());
  return o.expand(t.shape());
}
// t = result, elementwise, keeping t's storage and strides.
Tensor& assign(Tensor& t, const Tensor& result) {
  kernels::copy(t, result);
  return t;
}
}  // namespace

Tensor& Tensor::zero_() { return fill_(0); }

Tensor& Tensor::fill_(double value) {
  check_inplace("fill_", *this);
  kernels::fill(*this, value);
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace("copy_", *this);
  Tensor s = src.detach();
  if (s.device() != device()) s = s.to(device());
  kernels::copy(*this, s.expand(shape()));
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace("add_", *this);
  Tensor o = operand_for(*this, other);
  if (alpha != 1)
    o = kernels::binary(kernels::Binary::Mul, o,
                        scalar_tensor(alpha, TensorOptions(dtype()).device(device())).expand(shape()));
  return assign(*this, kernels::binary(kernels::Binary::Add, detach(), o));
}

Tensor& Tensor::add_(double value) { return add_(scalar_tensor(value, TensorOptions(dtype()).device(device()))); }

Tensor& Tensor::mul_(const Tensor& other) {
  check_inplace("mul_", *this);
  return assign(*this, kernels::binary(kernels::Binary::Mul, detach(), operand_for(*this, other)));
}

Tensor& Tensor::mul_(double value) { return mul_(scalar_tensor(value, TensorOptions(dtype()).device(device()))); }

Tensor& Tensor::div_(const Tensor& other) {
  check_inplace("div_", *this);
  return assign(*this, kernels::binary(kernels::Binary::Div, detach(), operand_for(*this, other)));
}

Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  check_inplace("clamp_", *this);
  return assign(*this, kernels::clamp(detach(), min, max));
}

Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  check_inplace("masked_fill_", *this);
  DGM_CHECK(mask.dtype() == kBool, "masked_fill_: mask must be bool, got ", dtype_name(mask.dtype()));
  Tensor m = mask.expand(shape());
  return assign(*this, kernels::where(m, scalar_tensor(value, TensorOptions(dtype()).device(device())).expand(shape()),
                                      detach()));
}

}  // namespace dgm
