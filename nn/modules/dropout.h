// Dropout as torch.nn.Dropout: in training each element is zeroed with
// probability p and the rest scaled by 1/(1-p); in evaluation the identity.
#pragma once
#include "nn/module.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* generator = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  double p;
  Generator* generator;  // nullptr: the default generator
};

}  // namespace dgm::nn
