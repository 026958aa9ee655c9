#include "models/diffusion/specs.h"

namespace dgm::models::diffusion {

void register_guidance_models(Registry& /*r*/) {}

}  // namespace dgm::models::diffusion
