#include "models/vae/specs.h"

namespace dgm::models::vae {

void register_mlp_vae_models(Registry&) {}

}  // namespace dgm::models::vae
