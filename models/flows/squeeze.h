// Squeeze (RealNVP; homework 2, given code): trade space for channels,
//   (B, C, H, W) -> reshape (B, C, H/2, 2, W/2, 2) -> permute (0,1,3,5,2,4) -> (B, 4C, H/2, W/2)
// so output channel 4c + 2a + b holds the pixels (2i + a, 2j + b) of channel c.
// undo_squeeze is the inverse permutation. A permutation: log|det| = 0.
#pragma once
#include "models/flows/flow_layer.h"

namespace dgm::models::flows {

Tensor squeeze2x2(const Tensor& x);
Tensor undo_squeeze2x2(const Tensor& x);

// The same as a flow layer (forward = squeeze, inverse = undo), log-det zeros (B).
class Squeeze : public FlowLayer {
 public:
  std::string name() const override { return "Squeeze"; }
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;
};

}  // namespace dgm::models::flows
