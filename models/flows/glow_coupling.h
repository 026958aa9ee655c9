// Glow's affine coupling layer (Kingma & Dhariwal 2018): the channels split in
// halves x = (x_a, x_b); a small CNN of x_a gives a shift t and a scale s for x_b,
//
//   h = NN(x_a),  NN = conv 3x3 (C/2 -> hidden), ReLU, conv 1x1 (hidden -> hidden), ReLU,
//                      conv 3x3 (hidden -> C), zero-initialized
//   t = h[:, :C/2],  s = sigmoid(h[:, C/2:] + 2)
//   forward  z_a = x_a,  z_b = (x_b + t) * s,   log|det| = sum log s  (per example, shape (B))
//   inverse  x_a = z_a,  x_b = z_b / s - t,     log|det| = -sum log s
//
// The Jacobian is block-triangular with diagonal (1, s). With the last conv at
// zero the layer starts as z_b = x_b * sigmoid(2) (t = 0). log s is computed as
// log sigmoid(u) = -softplus(-u), finite for every u.
#pragma once
#include <memory>

#include "models/flows/flow_layer.h"
#include "nn/modules/conv.h"

namespace dgm::models::flows {

class GlowCoupling : public FlowLayer {
 public:
  // channels: even, >= 2
  GlowCoupling(int64_t channels, int64_t hidden_channels);
  std::string name() const override { return "GlowCoupling"; }
  std::string extra_repr() const override;

  // x (B, C, H, W) -> (z, log_det (B))
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  std::shared_ptr<nn::Conv2d> conv_in, conv_hidden, conv_out;

 private:
  int64_t channels_, hidden_;
};

}  // namespace dgm::models::flows
