// The flow matching models (homework 6, lectures 12-13) as `dgm train` knows them: CFM, reflow and OT-CFM.
#pragma once
#include "models/registry.h"

namespace dgm::models::flow_matching {

void register_models(Registry& registry);
// cfm-mnist, otcfm-mnist, reflow-mnist, cfm-conical-mnist (mnist_specs.cpp).
void register_mnist_models(Registry& registry);

}  // namespace dgm::models::flow_matching
