#include "models/vae/specs.h"

namespace dgm::models::vae {

void register_prior_models(Registry&) {}

}  // namespace dgm::models::vae
