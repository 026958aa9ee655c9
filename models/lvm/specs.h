// Mixture models and EM (seminar 4, lecture 3) as `dgm train` knows them.
#pragma once
#include "models/registry.h"

namespace dgm::models::lvm {

void register_models(Registry& registry);
// gmm-mle, gmm-em, gmm-vem (gmm_specs.cpp).
void register_gmm_models(Registry& registry);

}  // namespace dgm::models::lvm
