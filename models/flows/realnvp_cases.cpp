#include "models/flows/layer_catalog.h"

namespace dgm::models::flows {

std::vector<FlowLayerCase> realnvp_layer_cases() { return {}; }

}  // namespace dgm::models::flows
