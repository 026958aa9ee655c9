// The VAE family (lecture 4, homework 2) as `dgm train` knows it.
#pragma once
#include "models/registry.h"

namespace dgm::models::vae {

void register_models(Registry& registry);

}  // namespace dgm::models::vae
