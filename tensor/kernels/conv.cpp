// The convolution kernels' front door: the geometry, the operands' devices,
// dtypes and shapes, contiguous operands, the output, then the backend
// (tensor/cpu/conv.cpp; cuda/conv.cu).
#include "tensor/kernels/conv.h"

#include "tensor/backend/dispatch.h"
#include "tensor/kernels/checks.h"

namespace dgm::kernels {
namespace {

using Geo = Conv2dGeometry;

void check_geometry(const char* op, const Geo& g) {
  DGM_CHECK(g.groups > 0 && g.C % g.groups == 0 && g.O % g.groups == 0 && g.sH > 0 && g.sW > 0 && g.dH > 0 &&
                g.dW > 0 && g.pH >= 0 && g.pW >= 0 && g.kH > 0 && g.kW > 0,
            op, ": invalid convolution geometry: ", conv_geometry_str(g));
}

// a and b of one floating dtype
void check_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.dtype() == b.dtype(), op, ": expected one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  DGM_CHECK(a.dtype() == kFloat32 || a.dtype() == kFloat64, op, ": expected float32 or float64, got ",
            dtype_name(a.dtype()));
}

Shape input_shape(const Geo& g) { return {g.N, g.C, g.H, g.W}; }
Shape weight_shape(const Geo& g) { return {g.O, g.C / g.groups, g.kH, g.kW}; }
Shape output_shape(const Geo& g) { return {g.N, g.O, g.Ho, g.Wo}; }

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dGeometry& g) {
  const char* op = "conv2d";
  const Device device = backend::one_device(op, {&x, &w, &bias}, {"input", "weight", "bias"});
  check_dtypes(op, x, w);
  if (bias.defined()) check_dtypes(op, x, bias);
  check_geometry(op, g);
  check_shape(op, "input", x, input_shape(g));
  check_shape(op, "weight", w, weight_shape(g));
  if (bias.defined()) check_shape(op, "bias", bias, {g.O});
  Tensor y = empty(output_shape(g), x.dtype(), device);
  if (y.numel() > 0) DGM_BACKEND(device, conv2d(y, contiguous(x), contiguous(w), contiguous(bias), g));
  return y;
}

Tensor conv2d_input_grad(const Tensor& gy, const Tensor& w, const Conv2dGeometry& g) {
  const char* op = "conv2d_input_grad";
  const Device device = backend::one_device(op, {&gy, &w}, {"grad_output", "weight"});
  check_dtypes(op, gy, w);
  check_geometry(op, g);
  check_shape(op, "grad_output", gy, output_shape(g));
  check_shape(op, "weight", w, weight_shape(g));
  Tensor dx = empty(input_shape(g), gy.dtype(), device);
  if (dx.numel() > 0) DGM_BACKEND(device, conv2d_input_grad(dx, contiguous(gy), contiguous(w), g));
  return dx;
}

Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const Conv2dGeometry& g) {
  const char* op = "conv2d_weight_grad";
  const Device device = backend::one_device(op, {&x, &gy}, {"input", "grad_output"});
  check_dtypes(op, x, gy);
  check_geometry(op, g);
  check_shape(op, "input", x, input_shape(g));
  check_shape(op, "grad_output", gy, output_shape(g));
  Tensor dw = empty(weight_shape(g), x.dtype(), device);
  if (dw.numel() > 0) DGM_BACKEND(device, conv2d_weight_grad(dw, contiguous(x), contiguous(gy), g));
  return dw;
}

}  // namespace dgm::kernels
