#include "models/gan/specs.h"

namespace dgm::models::gan {

void register_models(Registry& r) {
  r.add_family({"gan", "generative adversarial networks", "lectures 6-7, homework 3, seminars 6 and 7"});
  register_toy_models(r);
  register_wgan_models(r);
  register_stylegan_models(r);
}

}  // namespace dgm::models::gan
