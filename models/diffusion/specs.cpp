#include "models/diffusion/specs.h"

namespace dgm::models::diffusion {

void register_models(Registry& r) {
  r.add_family(
      {"diffusion", "denoising diffusion models (DDPM, DDIM, guidance)", "lectures 8-10, homework 5, seminar 9"});
  register_ddpm2d_models(r);
  register_unet_models(r);
  register_guidance_models(r);
}

}  // namespace dgm::models::diffusion
