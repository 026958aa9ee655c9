#include "autograd/grad_mode.h"
#include "models/flows/layer_catalog.h"
#include "models/flows/planar_flow.h"
#include "models/flows/radial_flow.h"

namespace dgm::models::flows {

namespace {

// Overwrites a parameter with N(0, std^2) draws plus `shift`, in float64.
void redraw(Tensor& param, double std, double shift, Generator& gen) {
  NoGradGuard no_grad;
  param.copy_(randn(param.shape(), kFloat64, &gen) * std + shift);
}

// A planar layer far from the identity: w, u, b ~ N(0, 1); u is shifted against w for dim 3, so w^T u < -1
// and u_hat's projection is what keeps the layer invertible.
FlowLayerCase planar_case(int64_t dim) {
  return {"PlanarTransform(dim=" + std::to_string(dim) + ")",
          {dim},
          [dim](Generator& gen) {
            auto layer = std::make_shared<PlanarTransform>(dim, &gen);
            layer->to(kFloat64);
            redraw(layer->w, 1.0, 0.0, gen);
            redraw(layer->u, 1.0, 0.0, gen);
            redraw(layer->b, 1.0, 0.0, gen);
            if (dim == 3) {
              NoGradGuard no_grad;
              layer->u.copy_(layer->u - 3.0 * layer->w / (layer->w * layer->w).sum());
            }
            return std::shared_ptr<FlowLayer>(layer);
          },
          nullptr};
}

// A radial layer with z0 ~ N(0, 0.5^2), alpha, beta of order 1: beta > 0 (expanding) for dim 2, beta < 0
// (contracting, close to -alpha) for dim 3.
FlowLayerCase radial_case(int64_t dim) {
  return {"RadialTransform(dim=" + std::to_string(dim) + ")",
          {dim},
          [dim](Generator& gen) {
            auto layer = std::make_shared<RadialTransform>(dim, &gen);
            layer->to(kFloat64);
            redraw(layer->z0, 0.5, 0.0, gen);
            redraw(layer->a, 0.1, 0.5, gen);
            redraw(layer->b, 0.1, dim == 2 ? 2.0 : -1.5, gen);
            return std::shared_ptr<FlowLayer>(layer);
          },
          nullptr};
}

}  // namespace

std::vector<FlowLayerCase> planar_layer_cases() {
  return {planar_case(2), planar_case(3), radial_case(2), radial_case(3)};
}

}  // namespace dgm::models::flows
