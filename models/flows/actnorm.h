// ActNorm (Glow; homework 2's ActNormLayer, given code): a per-channel affine
// map with data-dependent initialization,
//
//   forward  z = x * exp(log_scale) + shift,     log|det| = log_scale at every element
//   inverse  x = (z - shift) * exp(-log_scale),  log|det| = -log_scale
//
// log_scale and shift are parameters of shape (1,C,1,1), zero until the first
// forward (or inverse) call, which sets them from that batch, as the course does:
//   shift = -mean(x) over (B,H,W),   log_scale = -log std(x) over (B,H,W) (unbiased, as torch.std)
// (so the first batch comes out with per-channel std 1; note that the course's
// shift is -mean, not -mean/std, and the mean of that batch after the layer is
// mean*(1/std - 1), not 0). The flag is a buffer, so a checkpoint
// restores an initialized layer as initialized.
#pragma once
#include "models/flows/flow_layer.h"

namespace dgm::models::flows {

class ActNorm : public FlowLayer {
 public:
  explicit ActNorm(int64_t n_channels);
  std::string name() const override { return "ActNorm"; }
  std::string extra_repr() const override;

  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  bool initialized() const;
  // Sets shift and log_scale from the batch x (B,C,H,W), as the first call does.
  void initialize(const Tensor& x);

  Tensor log_scale, shift;

 private:
  int64_t n_channels_;
  Tensor initialized_;  // buffer: 0 or 1
};

}  // namespace dgm::models::flows
