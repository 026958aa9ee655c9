// A Linear layer whose weight is multiplied by a fixed 0/1 mask (MADE,
// Germain et al. 2015):
//
//   y = x (W * M)^T + b,   M (out_features, in_features) in {0, 1}
//
// M is a buffer (saved, not trained); W's gradient is masked too, so masked
// weights never move away from their initial values and never matter.
#pragma once
#include "nn/modules/linear.h"

namespace dgm::models::flows {

class MaskedLinear : public nn::Linear {
 public:
  // `mask` (out_features, in_features) of zeros and ones, any real dtype.
  MaskedLinear(int64_t in_features, int64_t out_features, const Tensor& mask, bool bias = true);
  // y = x (W * M)^T + b
  Tensor forward(const Tensor& x) override;
  // W * M, for callers that apply the layer many times (a D-pass inversion computes it once).
  Tensor masked_weight() const;
  std::string name() const override { return "MaskedLinear"; }

  Tensor mask;  // (out_features, in_features), the weight's dtype
};

}  // namespace dgm::models::flows
