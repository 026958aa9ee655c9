#include "autograd/grad_mode.h"
#include "models/flows/vit_coupling.h"
#include "models/flows/vit_specs.h"

namespace dgm::models::flows {

namespace {

// A 1x4x4 image in 2x2 patches (4 tokens), dim 8, one block of 2 heads of width 4,
// with a non-zero last layer and scale, so that s and t depend on the kept half.
FlowLayerCase vit_coupling_case(bool parity) {
  FlowLayerCase c;
  c.name = std::string("ViTAffineCheckerboardCoupling(parity=") + (parity ? "true" : "false") + ")";
  c.event_shape = {1, 4, 4};
  c.make = [parity](Generator& gen) {
    ViTConfig config;
    config.image_shape = {4, 4};
    config.patch_shape = {2, 2};
    config.dim = 8;
    config.depth = 1;
    config.heads = 2;
    config.mlp_dim = 16;
    config.n_channels = 1;
    config.dim_head = 4;
    auto layer = std::make_shared<ViTAffineCheckerboardCoupling>(parity, config);
    layer->conditioner->to_pixels->reset_parameters(&gen);
    NoGradGuard no_grad;
    layer->scale.fill_(0.7);
    layer->scale_shift.fill_(0.2);
    layer->to(kFloat64);
    return std::shared_ptr<FlowLayer>(layer);
  };
  return c;
}

}  // namespace

std::vector<FlowLayerCase> vit_layer_cases() { return {vit_coupling_case(true), vit_coupling_case(false)}; }

}  // namespace dgm::models::flows
