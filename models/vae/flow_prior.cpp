#include "models/vae/flow_prior.h"

namespace dgm::models::vae {

FlowPrior::FlowPrior(int64_t dim, int64_t layers, std::vector<int64_t> hidden) {
  DGM_CHECK(dim >= 1, "FlowPrior: dim must be at least 1, got ", dim);
  flows::AutoregressiveFlowOptions o;
  o.kind = "maf";
  o.dim = dim;
  o.layers = layers;
  o.hidden = std::move(hidden);
  flow_ = register_module("flow", std::make_shared<flows::AutoregressiveFlow>(o));
}

Tensor FlowPrior::log_prob(const Tensor& z) {
  DGM_CHECK(z.defined() && z.dim() == 2 && z.size(1) == dim(), "FlowPrior::log_prob: expected z of shape (B, ", dim(),
            "), got ", z.defined() ? shape_str(z.shape()) : "undefined");
  // log N(f(z); 0, I) + log|det df/dz|
  return flow_->log_prob(z);
}

Tensor FlowPrior::sample(int64_t n, Device device, Generator* gen) {
  // z = f^{-1}(eps), eps ~ N(0, I)
  return flow_->sample(n, SampleOptions(gen)).to(device);
}

}  // namespace dgm::models::vae
