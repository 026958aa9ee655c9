#include "models/score/specs.h"

namespace dgm::models::score {

void register_toy_models(Registry& /*r*/) {}

}  // namespace dgm::models::score
