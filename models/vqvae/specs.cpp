#include "models/vqvae/specs.h"

namespace dgm::models::vqvae {

void register_models(Registry& r) {
  r.add_family({"vqvae", "vector-quantized VAE and its code prior", "lecture 5, homework 3"});
}

}  // namespace dgm::models::vqvae
