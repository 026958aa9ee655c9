// The normalizing-flow family (lecture 2, seminars 2-3, homework 2's RealNVP,
// the supplementary deck's MAF/IAF and dequantization) as `dgm train` knows it.
// Each group of models registers its own specs.
#pragma once
#include "models/registry.h"

namespace dgm::models::flows {

void register_models(Registry& registry);

void register_planar_models(Registry& registry);          // planar_specs.cpp: planar and radial flows, 2-D
void register_realnvp_models(Registry& registry);         // realnvp_specs.cpp: RealNVP (homework 2), dequantization
void register_glow_models(Registry& registry);            // glow_specs.cpp: Glow steps, linear flows
void register_autoregressive_models(Registry& registry);  // autoregressive_specs.cpp: MADE, MAF, IAF
void register_vit_models(Registry& registry);             // vit_specs.cpp: RealNVP with ViT couplings (autumn edition)

}  // namespace dgm::models::flows
