#include "models/flows/flow_layer.h"

#include "autograd/ops/reduction.h"

namespace dgm::models::flows {

Tensor log_det_per_example(const Tensor& log_det) {
  if (log_det.dim() == 1) return log_det;
  DGM_CHECK(log_det.dim() >= 1, "log_det_per_example: expected (B) or (B, ...), got ", shape_str(log_det.shape()));
  return log_det.reshape({log_det.size(0), -1}).sum({1});
}

}  // namespace dgm::models::flows
