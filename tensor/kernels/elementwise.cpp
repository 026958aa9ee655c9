// The elementwise kernels' front door: checks, the output, then the backend
// (tensor/backend/dispatch.h). The loops are in tensor/cpu/elementwise.cpp
// and cuda/elementwise.cu.
#include "tensor/kernels/elementwise.h"

#include "tensor/backend/dispatch.h"

namespace dgm::kernels {
namespace {

bool is_comparison(Binary op) { return op >= Binary::Eq; }

}  // namespace

Tensor unary(Unary op, const Tensor& x, double p0, double p1) {
  const Device device = backend::one_device("unary", {&x});
  Tensor out = empty(x.shape(), op == Unary::LogicalNot ? kBool : x.dtype(), device);
  DGM_BACKEND(device, unary(op, out, x, p0, p1));
  return out;
}

Tensor binary(Binary op, const Tensor& a, const Tensor& b) {
  const Device device = backend::one_device("binary", {&a, &b});
  DGM_CHECK(a.shape() == b.shape() && a.dtype() == b.dtype(), "binary kernel: operands must match, got ",
            shape_str(a.shape()), " ", dtype_name(a.dtype()), " and ", shape_str(b.shape()), " ",
            dtype_name(b.dtype()));
  Tensor out = empty(a.shape(), is_comparison(op) ? kBool : a.dtype(), device);
  DGM_BACKEND(device, binary(op, out, a, b));
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Device device = backend::one_device("where", {&cond, &a, &b}, {"condition", "input", "other"});
  DGM_CHECK(cond.dtype() == kBool, "where: condition must be bool, got ", dtype_name(cond.dtype()));
  DGM_CHECK(cond.shape() == a.shape() && a.shape() == b.shape() && a.dtype() == b.dtype(),
            "where kernel: operands must match, got ", shape_str(cond.shape()), ", ", shape_str(a.shape()), " ",
            dtype_name(a.dtype()), " and ", shape_str(b.shape()), " ", dtype_name(b.dtype()));
  Tensor out = empty(a.shape(), a.dtype(), device);
  DGM_BACKEND(device, where(out, cond, a, b));
  return out;
}

Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const Device device = backend::one_device("clamp", {&x});
  Tensor out = empty(x.shape(), x.dtype(), device);
  DGM_BACKEND(device, clamp(out, x, lo, hi));
  return out;
}

// The one kernel whose operands may sit on two devices: a copy between host
// and device belongs to the CUDA backend.
void copy(const Tensor& dst, const Tensor& src) {
  DGM_CHECK(dst.shape() == src.shape(), "copy: shapes ", shape_str(dst.shape()), " and ", shape_str(src.shape()),
            " differ");
  const Device device = dst.is_cuda() ? dst.device() : src.device();
  dst.bump_version();  // a write into an existing tensor (autograd/engine.cpp checks saved versions)
  DGM_BACKEND(device, copy(dst, src));
}

Tensor copy_to_new(const Tensor& x, std::optional<DType> dtype) {
  Tensor out = empty(x.shape(), dtype.value_or(x.dtype()), x.device());
  copy(out, x);
  return out;
}

void fill(const Tensor& dst, double value) {
  const Device device = backend::one_device("fill", {&dst});
  dst.bump_version();
  DGM_BACKEND(device, fill(dst, value));
}

}  // namespace dgm::kernels
