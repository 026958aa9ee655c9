#include "models/sde/specs.h"

namespace dgm::models::sde {

void register_models(Registry& r) {
  r.add_family({"sde", "score SDEs: VE and VP, reverse-SDE and probability-flow ODE samplers", "lectures 11-12"});
}

}  // namespace dgm::models::sde
