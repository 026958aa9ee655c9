#include "models/gan/stylegan_adain.h"

#include "tensor/error.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

AdaIN::AdaIN(int64_t channels_, int64_t w_dim_) : channels(channels_), w_dim(w_dim_) {
  DGM_CHECK(channels > 0 && w_dim > 0, "AdaIN: channels and w_dim must be positive, got ", channels, " and ", w_dim);
  instance_norm = register_module("instance_norm", std::make_shared<nn::InstanceNorm2d>(channels));
  style_scale_transform = register_module("style_scale_transform", std::make_shared<nn::Linear>(w_dim, channels));
  style_shift_transform = register_module("style_shift_transform", std::make_shared<nn::Linear>(w_dim, channels));
}

Tensor AdaIN::forward(const Tensor& x, const Tensor& w) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels && w.dim() == 2 && w.size(0) == x.size(0) && w.size(1) == w_dim,
            "AdaIN: expected x (B, ", channels, ", H, W) and w (B, ", w_dim, "), got ", shape_str(x.shape()), " and ",
            shape_str(w.shape()));
  Tensor scale = style_scale_transform->forward(w).reshape({x.size(0), channels, 1, 1});
  Tensor shift = style_shift_transform->forward(w).reshape({x.size(0), channels, 1, 1});
  return scale * instance_norm->forward(x) + shift;
}

}  // namespace dgm::models::gan
