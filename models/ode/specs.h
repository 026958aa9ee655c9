// The continuous-time models (lectures 10-11) as `dgm train` knows them: neural ODEs and FFJORD on 2-D data.
#pragma once
#include "models/registry.h"

namespace dgm::models::ode {

void register_models(Registry& registry);

}  // namespace dgm::models::ode
