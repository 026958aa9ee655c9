// The pooling kernels' front door: the geometry, the operands' devices,
// dtypes and shapes, contiguous operands, the output, then the backend
// (tensor/cpu/pooling.cpp; cuda/pooling.cu).
#include "tensor/backend/dispatch.h"
#include "tensor/kernels/checks.h"
#include "tensor/kernels/conv.h"

namespace dgm::kernels {
namespace {

using Geo = Pool2dGeometry;

void check_geometry(const char* op, const Geo& g) {
  DGM_CHECK(g.N >= 0 && g.C >= 0 && g.H >= 0 && g.W >= 0 && g.Ho >= 0 && g.Wo >= 0 && g.kH > 0 && g.kW > 0 &&
                g.sH > 0 && g.sW > 0 && g.pH >= 0 && g.pW >= 0,
            op, ": invalid pooling geometry: input (", g.N, ",", g.C, ",", g.H, ",", g.W, "), output (", g.Ho, ",",
            g.Wo, "), kernel (", g.kH, ",", g.kW, "), stride (", g.sH, ",", g.sW, "), padding (", g.pH, ",", g.pW, ")");
}

// A floating tensor of the geometry's input (H, W) or output (Ho, Wo) shape.
void check_image(const char* op, const char* what, const Tensor& t, const Geo& g, bool output) {
  check_shape(op, what, t, output ? Shape{g.N, g.C, g.Ho, g.Wo} : Shape{g.N, g.C, g.H, g.W});
  check_floating(op, what, t);
}

void check_indices(const char* op, const Tensor& indices, const Geo& g) {
  check_shape(op, "indices", indices, {g.N, g.C, g.Ho, g.Wo});
  DGM_CHECK(indices.dtype() == kInt64, op, ": expected int64 indices, got ", dtype_name(indices.dtype()));
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dGeometry& g) {
  const char* op = "max_pool2d";
  const Device device = backend::one_device(op, {&x});
  check_geometry(op, g);
  check_image(op, "input", x, g, false);
  Tensor y = empty({g.N, g.C, g.Ho, g.Wo}, x.dtype(), device);
  Tensor indices = empty({g.N, g.C, g.Ho, g.Wo}, kInt64, device);
  if (y.numel() == 0) return {y, indices};
  DGM_CHECK(g.H > 0 && g.W > 0, op, ": empty image of shape ", shape_str(x.shape()), " with a non-empty output");
  DGM_BACKEND(device, max_pool2d(y, indices, contiguous(x), g));
  return {y, indices};
}

Tensor max_pool2d_scatter(const Tensor& gy, const Tensor& indices, const Pool2dGeometry& g) {
  const char* op = "max_pool2d_backward";
  const Device device = backend::one_device(op, {&gy, &indices}, {"gradient", "indices"});
  check_geometry(op, g);
  check_image(op, "gradient", gy, g, true);
  check_indices(op, indices, g);
  Tensor dx = empty({g.N, g.C, g.H, g.W}, gy.dtype(), device);
  if (dx.numel() > 0) DGM_BACKEND(device, max_pool2d_scatter(dx, contiguous(gy), contiguous(indices), g));
  return dx;
}

Tensor max_pool2d_gather(const Tensor& h, const Tensor& indices, const Pool2dGeometry& g) {
  const char* op = "max_pool2d_gather";
  const Device device = backend::one_device(op, {&h, &indices}, {"input", "indices"});
  check_geometry(op, g);
  check_image(op, "input", h, g, false);
  check_indices(op, indices, g);
  Tensor out = empty({g.N, g.C, g.Ho, g.Wo}, h.dtype(), device);
  if (out.numel() > 0) DGM_BACKEND(device, max_pool2d_gather(out, contiguous(h), contiguous(indices), g));
  return out;
}

Tensor avg_pool2d(const Tensor& x, const Pool2dGeometry& g) {
  const char* op = "avg_pool2d";
  const Device device = backend::one_device(op, {&x});
  check_geometry(op, g);
  check_image(op, "input", x, g, false);
  Tensor y = empty({g.N, g.C, g.Ho, g.Wo}, x.dtype(), device);
  if (y.numel() > 0) DGM_BACKEND(device, avg_pool2d(y, contiguous(x), g));
  return y;
}

Tensor avg_pool2d_backward(const Tensor& gy, const Pool2dGeometry& g) {
  const char* op = "avg_pool2d_backward";
  const Device device = backend::one_device(op, {&gy});
  check_geometry(op, g);
  check_image(op, "gradient", gy, g, true);
  Tensor dx = empty({g.N, g.C, g.H, g.W}, gy.dtype(), device);
  if (dx.numel() > 0) DGM_BACKEND(device, avg_pool2d_backward(dx, contiguous(gy), g));
  return dx;
}

}  // namespace dgm::kernels
