// One step of flow of Glow (Kingma & Dhariwal 2018, figure 2a), on (B, C, H, W):
//
//   forward  x -> ActNorm -> Invertible1x1Conv -> GlowCoupling -> z
//   inverse  z -> GlowCoupling^{-1} -> Invertible1x1Conv^{-1} -> ActNorm^{-1} -> x
//   log|det| = the sum of the three layers' log-dets (per example, shape (B))
//
// ActNorm (actnorm.h) initializes itself from the first batch it sees. The
// 1x1 convolution is LU-parametrized or plain (invertible_matrix.h).
#pragma once
#include <memory>

#include "models/flows/actnorm.h"
#include "models/flows/glow_coupling.h"
#include "models/flows/invertible_conv1x1.h"

namespace dgm::models::flows {

class GlowStep : public FlowLayer {
 public:
  GlowStep(int64_t channels, int64_t hidden_channels,
           MatrixParametrization parametrization = MatrixParametrization::kLU, Generator* gen = nullptr);
  std::string name() const override { return "GlowStep"; }

  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  std::shared_ptr<ActNorm> actnorm;
  std::shared_ptr<Invertible1x1Conv> conv;
  std::shared_ptr<GlowCoupling> coupling;
};

}  // namespace dgm::models::flows
