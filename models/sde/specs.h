// The score SDE models (lectures 11-12) as `dgm train` knows them: VE and VP SDEs with their samplers.
#pragma once
#include "models/registry.h"

namespace dgm::models::sde {

void register_models(Registry& registry);

}  // namespace dgm::models::sde
