#include "models/flows/glow_step.h"

#include <algorithm>

#include "autograd/ops/elementwise.h"

namespace dgm::models::flows {

GlowStep::GlowStep(int64_t channels, int64_t hidden_channels, MatrixParametrization parametrization, Generator* gen) {
  actnorm = register_module("actnorm", std::make_shared<ActNorm>(channels));
  conv = register_module("conv", std::make_shared<Invertible1x1Conv>(channels, parametrization, gen));
  coupling = register_module("coupling", std::make_shared<GlowCoupling>(channels, hidden_channels));
}

FlowOutput GlowStep::forward(const Tensor& x, bool invert) {
  std::vector<FlowLayer*> layers = {actnorm.get(), conv.get(), coupling.get()};
  if (invert) std::reverse(layers.begin(), layers.end());
  Tensor h = x, log_det;
  // log|det| of the composition = the sum of the layers' log-dets
  for (FlowLayer* layer : layers) {
    FlowOutput out = layer->forward(h, invert);
    h = out.z;
    Tensor ld = log_det_per_example(out.log_det);
    log_det = log_det.defined() ? log_det + ld : ld;
  }
  return {h, log_det};
}

}  // namespace dgm::models::flows
