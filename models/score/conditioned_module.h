// A network of two inputs, s(x, y): the score networks of the NCSN take the noisy input x and the index y of its
// noise level (one per example, int64 (B)). forward(x) alone is refused: the level is not optional.
#pragma once
#include "nn/module.h"

namespace dgm::models::score {

class ConditionedModule : public nn::Module {
 public:
  using nn::Module::forward;
  virtual Tensor forward(const Tensor& x, const Tensor& y) = 0;
  Tensor forward(const Tensor& x) override;
};

}  // namespace dgm::models::score
