#include "models/gan/stylegan_mapping.h"

#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

MappingLayers::MappingLayers(int64_t z_dim_, int64_t hidden_dim_, int64_t w_dim_)
    : z_dim(z_dim_), hidden_dim(hidden_dim_), w_dim(w_dim_) {
  DGM_CHECK(z_dim > 0 && hidden_dim > 0 && w_dim > 0, "MappingLayers: sizes must be positive, got z_dim ", z_dim,
            ", hidden_dim ", hidden_dim, ", w_dim ", w_dim);
  mapping = register_module(
      "mapping",
      std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(z_dim, hidden_dim), std::make_shared<nn::ReLU>(),
                                       std::make_shared<nn::Linear>(hidden_dim, hidden_dim),
                                       std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(hidden_dim, w_dim)));
}

Tensor MappingLayers::forward(const Tensor& z) {
  DGM_CHECK(z.dim() == 2 && z.size(1) == z_dim, "MappingLayers: expected z of shape (B, ", z_dim, "), got ",
            shape_str(z.shape()));
  return mapping->forward(z);
}

}  // namespace dgm::models::gan
