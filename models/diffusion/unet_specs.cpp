#include "models/diffusion/specs.h"

namespace dgm::models::diffusion {

void register_unet_models(Registry& /*r*/) {}

}  // namespace dgm::models::diffusion
