#include "models/vae/specs.h"

namespace dgm::models::vae {

void register_resnet_vae_models(Registry&) {}

}  // namespace dgm::models::vae
