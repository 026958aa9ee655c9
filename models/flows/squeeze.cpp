#include "models/flows/squeeze.h"

#include "tensor/factories.h"

namespace dgm::models::flows {

Tensor squeeze2x2(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(2) % 2 == 0 && x.size(3) % 2 == 0,
            "squeeze: expected (B,C,H,W) with even H and W, got ", shape_str(x.shape()));
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.reshape({b, c, h / 2, 2, w / 2, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({b, 4 * c, h / 2, w / 2});
}

Tensor undo_squeeze2x2(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) % 4 == 0, "undo_squeeze: expected (B,4C,H,W), got ", shape_str(x.shape()));
  const int64_t b = x.size(0), c = x.size(1) / 4, h = x.size(2), w = x.size(3);
  return x.reshape({b, c, 2, 2, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({b, c, 2 * h, 2 * w});
}

FlowOutput Squeeze::forward(const Tensor& x, bool invert) {
  Tensor out = invert ? undo_squeeze2x2(x) : squeeze2x2(x);
  return {out, zeros({x.size(0)}, TensorOptions(x.dtype()).device(x.device()))};
}

}  // namespace dgm::models::flows
