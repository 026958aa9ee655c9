#include "models/flows/glow_coupling.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "nn/init.h"

namespace dgm::models::flows {

GlowCoupling::GlowCoupling(int64_t channels, int64_t hidden_channels) : channels_(channels), hidden_(hidden_channels) {
  DGM_CHECK(channels >= 2 && channels % 2 == 0,
            "GlowCoupling: expected an even number of channels >= 2 (they split in halves), got ", channels);
  DGM_CHECK(hidden_channels >= 1, "GlowCoupling: expected hidden_channels >= 1, got ", hidden_channels);
  conv_in = register_module("conv_in", std::make_shared<nn::Conv2d>(channels / 2, hidden_channels, 3, 1, 1));
  conv_hidden = register_module("conv_hidden", std::make_shared<nn::Conv2d>(hidden_channels, hidden_channels, 1));
  conv_out = register_module("conv_out", std::make_shared<nn::Conv2d>(hidden_channels, channels, 3, 1, 1));
  nn::init::zeros_(conv_out->weight);
  nn::init::zeros_(conv_out->bias);
}

std::string GlowCoupling::extra_repr() const {
  return std::to_string(channels_) + ", hidden_channels=" + std::to_string(hidden_);
}

FlowOutput GlowCoupling::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels_, "GlowCoupling: expected (B,", channels_, ",H,W), got ",
            shape_str(x.shape()));
  const int64_t half = channels_ / 2;
  Tensor xa = x.narrow(1, 0, half), xb = x.narrow(1, half, half);
  Tensor h = conv_out->forward(relu(conv_hidden->forward(relu(conv_in->forward(xa)))));
  Tensor t = h.narrow(1, 0, half);
  Tensor u = h.narrow(1, half, half) + 2.0;
  // log s = log sigmoid(u) = -softplus(-u)
  Tensor log_s = -softplus(-u);
  Tensor s = sigmoid(u);
  // forward z_b = (x_b + t) s, log|det| = sum log s; inverse x_b = z_b / s - t
  Tensor zb = invert ? xb / s - t : (xb + t) * s;
  Tensor log_det = log_s.sum({1, 2, 3});
  return {cat({xa, zb}, 1), invert ? -log_det : log_det};
}

}  // namespace dgm::models::flows
