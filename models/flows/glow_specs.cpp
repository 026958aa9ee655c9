#include "models/flows/specs.h"

namespace dgm::models::flows {

void register_glow_models(Registry&) {}

}  // namespace dgm::models::flows
