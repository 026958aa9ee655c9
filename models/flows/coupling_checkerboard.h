// The checkerboard affine coupling of RealNVP (homework 2; lecture 2, seminar 3).
// A fixed mask b (1,1,H,W) alternates 1 and 0 like a checkerboard (parity_type
// = true puts 1 at the top-left). The masked pixels pass unchanged and
// condition the others:
//
//   (s, t) = SimpleResnet(x * b),  s = scale * tanh(s) + scale_shift,  s *= (1 - b),  t *= (1 - b)
//   forward  z = x * exp(s) + t,      log|det| = s   (element-wise; 0 where b = 1)
//   inverse  x = (z - t) * exp(-s),   log|det| = -s
//
// The Jacobian is triangular (the b = 1 pixels do not depend on the others), so
// its log-det is the sum of s. scale and scale_shift start at 0: a new layer is
// a pure shift z = x + t.
#pragma once
#include <memory>
#include <vector>

#include "models/flows/flow_layer.h"
#include "models/flows/simple_resnet.h"

namespace dgm::models::flows {

class AffineCheckerboardCoupling : public FlowLayer {
 public:
  AffineCheckerboardCoupling(bool parity_type, std::vector<int64_t> input_shape, int64_t in_channels = 3,
                             int64_t n_filters = 32, int64_t n_blocks = 4);
  std::string name() const override { return "AffineCheckerboardCoupling"; }
  std::string extra_repr() const override;

  // The checkerboard mask (1,1,H,W) float32: 1 where (i + j) is even if parity_type, where it is odd otherwise.
  static Tensor build_mask(const std::vector<int64_t>& input_shape, bool parity_type);

  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;
  // The affine step on x given s and t (each x's shape): forward {x exp(s) + t, s}, inverse {(x - t) exp(-s), -s}.
  static FlowOutput affine(const Tensor& x, const Tensor& s, const Tensor& t, bool invert);

  bool parity_type;
  int64_t in_channels;
  Tensor mask;                           // buffer (1,1,H,W)
  Tensor scale, scale_shift;             // parameters (1), zero at start
  std::shared_ptr<SimpleResnet> resnet;  // x * mask -> (s, t), 2 * in_channels channels

 private:
  int64_t n_filters_, n_blocks_;
};

}  // namespace dgm::models::flows
