// The feature networks of the evaluation suite (classifiers of MNIST and Fashion-MNIST whose penultimate layer
// gives the features of FID, precision and recall) as `dgm train` knows them.
#pragma once
#include "models/registry.h"

namespace dgm::models::eval {

void register_models(Registry& registry);

}  // namespace dgm::models::eval
