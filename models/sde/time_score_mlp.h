// The network of the 2-D score SDE models: an MLP on a point x and a continuous time t in [0, 1],
//
//   e(t)      = [sin(2^k pi t), cos(2^k pi t)]  for k = 0, ..., F - 1        fixed Fourier features, 2F numbers
//   net(x, t) = Linear(h_L, D) of h_l = SiLU(Linear(h_{l-1})),  h_0 = [x, e(t)]   (D + 2F -> hidden ... -> D)
//
// The frequencies 2^k pi resolve t down to about 2^{-F} (F = 8: 1/256 of the time axis); SiLU keeps the field smooth.
// TimeScoreMLP(dim, {hidden widths}, num_frequencies).
#pragma once
#include <memory>
#include <vector>

#include "nn/modules/container.h"

namespace dgm::models::sde {

// e(t): t (B) float -> (B, 2F), t's dtype.
Tensor fourier_time_features(const Tensor& t, int64_t num_frequencies);

class TimeScoreMLP : public nn::Module {
 public:
  TimeScoreMLP(int64_t dim, const std::vector<int64_t>& hidden, int64_t num_frequencies = 8);
  using nn::Module::forward;
  // x (B, dim), t (B) float in [0, 1] -> (B, dim).
  Tensor forward(const Tensor& x, const Tensor& t);
  Tensor forward(const Tensor& x) override;  // refused: t is not optional
  std::string name() const override { return "TimeScoreMLP"; }

  const int64_t dim, num_frequencies;
  std::shared_ptr<nn::Sequential> net;
};

}  // namespace dgm::models::sde
