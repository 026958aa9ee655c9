// The softmax kernel's front door: the rows' layout, the output, the backend.
#include "tensor/kernels/softmax.h"

#include "tensor/backend/dispatch.h"

namespace dgm::kernels {

Tensor softmax(const Tensor& x, int64_t dim, bool log) {
  const Device device = backend::one_device(log ? "log_softmax" : "softmax", {&x});
  DGM_CHECK(x.is_contiguous(), "softmax kernel: expected a contiguous input, got strides ", shape_str(x.strides()));
  Tensor y = empty(x.shape(), x.dtype(), device);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  if (y.numel() > 0) DGM_BACKEND(device, softmax(y, x, outer, x.size(dim), inner, log));
  return y;
}

}  // namespace dgm::kernels
