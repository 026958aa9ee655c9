// The GANs (homework 3 task 3, lectures 6-7, seminars 6 and 7) as `dgm train` knows them, registered in groups:
// the 1-D and 2-D GANs with their losses (toy_specs.cpp), the convolutional WGANs of homework 3 (wgan_specs.cpp),
// MicroStyleGAN with R1 (stylegan_specs.cpp).
#pragma once
#include "models/registry.h"

namespace dgm::models::gan {

void register_models(Registry& registry);
void register_toy_models(Registry& registry);
void register_wgan_models(Registry& registry);
void register_stylegan_models(Registry& registry);

}  // namespace dgm::models::gan
