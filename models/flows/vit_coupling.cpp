#include "models/flows/vit_coupling.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

ViTAffineConditioner::ViTAffineConditioner(const ViTConfig& config) : config(config) {
  encoder = register_module("encoder", std::make_shared<ViTEncoder>(config.image_shape, config.patch_shape, config.dim,
                                                                    config.depth, config.heads, config.mlp_dim,
                                                                    config.n_channels, config.dim_head));
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

Tensor vit_checkerboard_mask(HW image_shape, bool parity) {
  const auto [H, W] = image_shape;
  std::vector<float> m(static_cast<size_t>(H * W));
  for (int64_t i = 0; i < H; ++i)
    for (int64_t j = 0; j < W; ++j) m[static_cast<size_t>(i * W + j)] = ((i + j) % 2 == 0) == parity ? 1.f : 0.f;
  return tensor(m, {1, 1, H, W});
}

ViTAffineCheckerboardCoupling::ViTAffineCheckerboardCoupling(bool parity, const ViTConfig& config) : parity(parity) {
  conditioner = register_module("conditioner", std::make_shared<ViTAffineConditioner>(config));
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
  Tensor mask = vit_checkerboard_mask(c.image_shape, parity).to(x.dtype()).to(x.device());
  Tensor x_cond = x * mask;
  auto [s, t] = conditioner->conditions(x_cond);
  // s = scale * tanh(s) + scale_shift, zero on the kept half; t zero there too
  s = (scale * tanh(s) + scale_shift) * (1.0 - mask);
  t = t * (1.0 - mask);
  // forward z = x exp(s) + t, log|det| = s; inverse x = (z - t) exp(-s), log|det| = -s
  if (!invert) return {x * exp(s) + t, s};
  return {(x - t) * exp(-s), -s};
}

}  // namespace dgm::models::flows
