// The autoregressive family (lecture 1, homework 1, seminar 1) as `dgm train` knows it.
#pragma once
#include "models/registry.h"

namespace dgm::models::ar {

void register_models(Registry& registry);

}  // namespace dgm::models::ar
