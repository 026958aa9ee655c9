// The diffusion models (homework 5, lectures 8-10, seminar 9) as `dgm train` knows them, registered in groups:
// the 2-D DDPM of homework 5 task 2 (ddpm2d_specs.cpp), the MNIST UNet DDPM with classifier-free guidance of
// task 3 (unet_specs.cpp), classifier guidance with a classifier of noisy images (guidance_specs.cpp).
#pragma once
#include "models/registry.h"

namespace dgm::models::diffusion {

void register_models(Registry& registry);
void register_ddpm2d_models(Registry& registry);
void register_unet_models(Registry& registry);
void register_guidance_models(Registry& registry);

}  // namespace dgm::models::diffusion
