// Seminar 7's MappingLayers: the MLP that maps the noise z to the intermediate latent w of StyleGAN,
//   z (B, z_dim) -> Linear -> ReLU -> Linear -> ReLU -> Linear -> w (B, w_dim).
#pragma once
#include <memory>

#include "nn/modules/container.h"

namespace dgm::models::gan {

class MappingLayers : public nn::Module {
 public:
  MappingLayers(int64_t z_dim, int64_t hidden_dim, int64_t w_dim);
  // w = mapping(z): (B, z_dim) -> (B, w_dim).
  Tensor forward(const Tensor& z) override;
  std::string name() const override { return "MappingLayers"; }

  int64_t z_dim, hidden_dim, w_dim;
  std::shared_ptr<nn::Sequential> mapping;
};

}  // namespace dgm::models::gan
