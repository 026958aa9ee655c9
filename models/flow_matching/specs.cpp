#include "models/flow_matching/specs.h"

namespace dgm::models::flow_matching {

void register_models(Registry& r) {
  r.add_family({"flow_matching", "flow matching (CFM, rectified flow, OT-CFM)", "lectures 12-13, homework 6"});
  register_mnist_models(r);
}

}  // namespace dgm::models::flow_matching
