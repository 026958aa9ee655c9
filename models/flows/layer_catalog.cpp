#include "models/flows/layer_catalog.h"

namespace dgm::models::flows {

std::vector<FlowLayerCase> flow_layer_cases() {
  std::vector<FlowLayerCase> all;
  for (auto group :
       {planar_layer_cases, realnvp_layer_cases, glow_layer_cases, autoregressive_layer_cases, vit_layer_cases})
    for (FlowLayerCase& c : group()) all.push_back(std::move(c));
  return all;
}

}  // namespace dgm::models::flows
