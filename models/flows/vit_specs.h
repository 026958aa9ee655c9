// The ViT-coupling RealNVP of the course's autumn-2025 homework 2 ("RealNVP on
// MNIST, ViT backbone, Jet-inspired"): its layer cases for the generic flow-layer
// test and its model for `dgm train`.
#pragma once
#include <vector>

#include "models/flows/layer_catalog.h"
#include "models/registry.h"

namespace dgm::models::flows {

std::vector<FlowLayerCase> vit_layer_cases();  // vit_cases.cpp
void register_vit_models(Registry& registry);  // vit_specs.cpp: "realnvp-vit"

}  // namespace dgm::models::flows
