// The score models (homework 4, lecture 7, seminar 8) as `dgm train` knows them, registered in groups:
// Langevin dynamics on seminar 8's mixture, denoising score matching on moons (homework 4 task 2) and seminar 8's
// heuristic denoiser (toy_specs.cpp); the NCSN of homework 4 task 3 on MNIST and seminar 8's 2-D NCSN
// (image_specs.cpp).
#pragma once
#include "models/registry.h"

namespace dgm::models::score {

void register_models(Registry& registry);
void register_toy_models(Registry& registry);
void register_image_models(Registry& registry);

}  // namespace dgm::models::score
