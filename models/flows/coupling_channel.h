// The channel-wise affine coupling of RealNVP (homework 2; lecture 2, seminar
// 3), used after a squeeze: the channels are split in halves; one half passes
// unchanged and conditions the other.
//
//   parity_type = true:  (x_change, x_id) = (first half, second half); false: the other way round
//   (s, t) = SimpleResnet(x_id),  s = scale * tanh(s) + scale_shift
//   forward  x_change' = x_change * exp(s) + t,     log|det| = s on x_change's channels, 0 on x_id's
//   inverse  x_change  = (x_change' - t) * exp(-s), log|det| = -s
//
// in_channels is the number of channels of one half (so the layer takes
// 2 * in_channels): the course's test feeds (1,4,2,2) to in_channels = 2.
#pragma once
#include <memory>

#include "models/flows/flow_layer.h"
#include "models/flows/simple_resnet.h"

namespace dgm::models::flows {

class AffineChannelCoupling : public FlowLayer {
 public:
  AffineChannelCoupling(bool parity_type, int64_t in_channels = 6, int64_t n_filters = 32, int64_t n_blocks = 4);
  std::string name() const override { return "AffineChannelCoupling"; }
  std::string extra_repr() const override;

  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  // The half that changes, transformed (forward or inverse), the half that conditions it, and the log-det of the
  // changed half (its shape).
  struct HalfStep {
    Tensor changed, identity, log_det;
  };
  HalfStep transform_half(const Tensor& x, bool invert);

  bool parity_type;
  int64_t in_channels;
  Tensor scale, scale_shift;             // parameters (1), zero at start
  std::shared_ptr<SimpleResnet> resnet;  // in_channels -> 2 * in_channels (s, t)
};

}  // namespace dgm::models::flows
