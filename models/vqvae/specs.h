// VQ-VAE and the PixelCNN prior over its codes (homework 3, lecture 5) as `dgm train` knows them.
#pragma once
#include "models/registry.h"

namespace dgm::models::vqvae {

void register_models(Registry& registry);

}  // namespace dgm::models::vqvae
