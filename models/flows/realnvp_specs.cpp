#include "models/flows/specs.h"

namespace dgm::models::flows {

void register_realnvp_models(Registry&) {}

}  // namespace dgm::models::flows
