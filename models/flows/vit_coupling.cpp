#include "models/flows/vit_coupling.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

ViTAffineConditioner::ViTAffineConditioner(const ViTConfig& config) : config(config) {
  encoder = register_module(
      "encoder", std::make_shared<ViTEncoder>(config.image_shape, config.patch_shape, config.dim, config.depth,
                                              config.heads, config.mlp_dim, config.n_channels, config.dim_head));
  const int64_t pixels_per_token = config.patch_shape.first * config.patch_shape.second * 2 * config.n_channels;
  to_pixels = register_module("to_pixels", std::make_shared<nn::Linear>(config.dim, pixels_per_token));
  // zero last layer: (s, t) = (0, 0) at the start, the coupling is the identity
  NoGradGuard no_grad;
  to_pixels->weight.zero_();
  to_pixels->bias.zero_();
}

std::pair<Tensor, Tensor> ViTAffineConditioner::conditions(const Tensor& x_cond) {
  Tensor st = unpatchify(to_pixels->forward(encoder->forward(x_cond)), config.image_shape, config.patch_shape,
                         2 * config.n_channels);
  std::vector<Tensor> halves = st.chunk(2, 1);
  return {halves[0], halves[1]};
}

ViTAffineCheckerboardCoupling::ViTAffineCheckerboardCoupling(bool parity, const ViTConfig& config) : parity(parity) {
  conditioner = register_module("conditioner", std::make_shared<ViTAffineConditioner>(config));
  mask = register_buffer(
      "mask", AffineCheckerboardCoupling::build_mask({config.image_shape.first, config.image_shape.second}, parity));
  scale = register_parameter("scale", ones({1}));
  scale_shift = register_parameter("scale_shift", zeros({1}));
}

std::string ViTAffineCheckerboardCoupling::extra_repr() const { return "parity=" + nn::py_bool(parity); }

FlowOutput ViTAffineCheckerboardCoupling::forward(const Tensor& x, bool invert) {
  const ViTConfig& c = conditioner->config;
  DGM_CHECK(x.dim() == 4 && x.size(1) == c.n_channels && x.size(2) == c.image_shape.first &&
                x.size(3) == c.image_shape.second,
            "ViTAffineCheckerboardCoupling: expected (B, ", c.n_channels, ", ", c.image_shape.first, ", ",
            c.image_shape.second, "), got ", shape_str(x.shape()));
  Tensor m = mask.to(x.dtype());
  auto [s, t] = conditioner->conditions(x * m);
  // s = scale * tanh(s) + scale_shift, zero on the kept half; t zero there too
  s = (scale * tanh(s) + scale_shift) * (1.0 - m);
  t = t * (1.0 - m);
  // forward z = x exp(s) + t, log|det| = s; inverse x = (z - t) exp(-s), log|det| = -s
  return AffineCheckerboardCoupling::affine(x, s, t, invert);
}

}  // namespace dgm::models::flows
