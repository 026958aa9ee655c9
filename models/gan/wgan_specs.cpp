#include "models/gan/specs.h"

namespace dgm::models::gan {

void register_wgan_models(Registry& /*r*/) {}

}  // namespace dgm::models::gan
