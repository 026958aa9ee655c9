// The score models (homework 4, lecture 7, seminar 8) as `dgm train` knows them, registered in groups:
// Langevin dynamics, denoising score matching and the NCSN on 2-D data (toy_specs.cpp); the NCSN on MNIST of
// homework 4 task 3 and seminar 8's heuristic denoiser (image_specs.cpp).
#pragma once
#include "models/registry.h"

namespace dgm::models::score {

void register_models(Registry& registry);
void register_toy_models(Registry& registry);
void register_image_models(Registry& registry);

}  // namespace dgm::models::score
