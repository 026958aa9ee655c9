#include "models/flows/specs.h"

namespace dgm::models::flows {

void register_autoregressive_models(Registry&) {}

}  // namespace dgm::models::flows
