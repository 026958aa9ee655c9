#include "models/diffusion/specs.h"

namespace dgm::models::diffusion {

void register_ddpm2d_models(Registry& /*r*/) {}

}  // namespace dgm::models::diffusion
