#include "models/ode/specs.h"

namespace dgm::models::ode {

void register_models(Registry& r) {
  r.add_family({"ode", "neural ODEs and continuous normalizing flows (FFJORD)", "lectures 10-11, supplementary deck"});
}

}  // namespace dgm::models::ode
