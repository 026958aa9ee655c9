#include "models/flows/specs.h"

namespace dgm::models::flows {

void register_models(Registry& r) {
  r.add_family({"flows", "normalizing flows", "lecture 2, seminars 2-3, homework 2"});
  register_planar_models(r);
  register_realnvp_models(r);
  register_glow_models(r);
  register_autoregressive_models(r);
  register_vit_models(r);
}

}  // namespace dgm::models::flows
