// The VAE family (lectures 3-5, seminar 5, homework 2) as `dgm train` knows it.
// Each group of models registers its own specs.
#pragma once
#include "models/registry.h"

namespace dgm::models::vae {

void register_models(Registry& registry);

void register_conv_vae_models(Registry& registry);    // specs.cpp: the convolutional VAE
void register_mlp_vae_models(Registry& registry);     // mlp_vae_specs.cpp: 2-D and MNIST MLP VAEs, beta-VAE, IWAE
void register_prior_models(Registry& registry);       // prior_specs.cpp: learned priors (flow, VampPrior), dVAE
void register_resnet_vae_models(Registry& registry);  // resnet_vae_specs.cpp: homework 2 task 3's ResNet VAE

}  // namespace dgm::models::vae
