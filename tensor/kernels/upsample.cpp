// The upsampling kernels' front door: the tables, the operands' devices,
// dtypes and shapes, contiguous operands, the output, then the backend
// (tensor/cpu/upsample.cpp; cuda/upsample.cu).
#include "tensor/backend/dispatch.h"
#include "tensor/kernels/checks.h"
#include "tensor/kernels/conv.h"

namespace dgm::kernels {
namespace {

void check_image(const char* op, const char* what, const Tensor& t) {
  DGM_CHECK(t.dim() == 4, op, ": expected a 4-d ", what, " (N,C,H,W), got shape ", shape_str(t.shape()));
  check_floating(op, what, t);
}

// Every table has one entry per output index, each index inside [0, in).
void check_table(const char* op, const char* axis, const Interp1d& t, int64_t in) {
  const size_t n = t.i0.size();
  DGM_CHECK(t.i1.size() == n && t.l0.size() == n && t.l1.size() == n, op, ": ", axis, " table has inconsistent sizes (",
            t.i0.size(), ", ", t.i1.size(), ", ", t.l0.size(), ", ", t.l1.size(), ")");
  for (size_t a = 0; a < n; ++a)
    DGM_CHECK(t.i0[a] >= 0 && t.i0[a] < in && t.i1[a] >= 0 && t.i1[a] < in, op, ": ", axis, " table entry ", a,
              " reads indices ", t.i0[a], " and ", t.i1[a], ", outside [0, ", in, ")");
}

}  // namespace

Tensor upsample2d(const Tensor& x, const Interp1d& rows, const Interp1d& cols) {
  const char* op = "upsample2d";
  const Device device = backend::one_device(op, {&x});
  check_image(op, "input", x);
  check_table(op, "row", rows, x.size(2));
  check_table(op, "column", cols, x.size(3));
  const int64_t Ho = static_cast<int64_t>(rows.i0.size()), Wo = static_cast<int64_t>(cols.i0.size());
  Tensor y = empty({x.size(0), x.size(1), Ho, Wo}, x.dtype(), device);
  if (y.numel() > 0) DGM_BACKEND(device, upsample2d(y, contiguous(x), rows, cols));
  return y;
}

Tensor upsample2d_backward(const Tensor& g, const Interp1d& rows, const Interp1d& cols, int64_t H, int64_t W) {
  const char* op = "upsample2d_backward";
  const Device device = backend::one_device(op, {&g});
  check_image(op, "gradient", g);
  DGM_CHECK(H >= 0 && W >= 0, op, ": invalid input size (", H, ",", W, ")");
  check_table(op, "row", rows, H);
  check_table(op, "column", cols, W);
  const int64_t Ho = static_cast<int64_t>(rows.i0.size()), Wo = static_cast<int64_t>(cols.i0.size());
  DGM_CHECK(g.size(2) == Ho && g.size(3) == Wo, op, ": gradient of shape ", shape_str(g.shape()),
            " does not match the output size (", Ho, ",", Wo, ")");
  Tensor dx = empty({g.size(0), g.size(1), H, W}, g.dtype(), device);
  if (dx.numel() > 0) DGM_BACKEND(device, upsample2d_backward(dx, contiguous(g), rows, cols));
  return dx;
}

}  // namespace dgm::kernels
