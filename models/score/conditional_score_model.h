// Seminar 8's noise-conditioned score network for 2-D points (ncsn.ipynb, ConditionalScoreModel):
//
//   embed(sigma) = Linear(1, embed_dim) -> Softplus -> Linear(embed_dim, embed_dim)       (embed_dim = 16)
//   s(x, sigma)  = Linear(dim + embed_dim, hidden) -> Softplus -> Linear(hidden, dim)    (hidden = 128)
//                  applied to cat(x, embed(sigma))
//
// As a ConditionedModule it takes the level index y (B) and looks its sigma up in `sigmas` (a buffer, the NCSN's).
#pragma once
#include <memory>

#include "models/score/conditioned_module.h"
#include "nn/modules/container.h"

namespace dgm::models::score {

class ConditionalScoreModel : public ConditionedModule {
 public:
  ConditionalScoreModel(const Tensor& sigmas, int64_t dim = 2, int64_t hidden = 128, int64_t embed_dim = 16);
  using ConditionedModule::forward;
  // x (B, dim), y (B) int64 level indices.
  Tensor forward(const Tensor& x, const Tensor& y) override;
  // x (B, dim), sigma (B, 1) float: the score at noise level sigma.
  Tensor forward_sigma(const Tensor& x, const Tensor& sigma);
  std::string name() const override { return "ConditionalScoreModel"; }
  std::string extra_repr() const override;

  int64_t dim, hidden, embed_dim;
  Tensor sigmas;  // (L) float32
  std::shared_ptr<nn::Sequential> embed, net;
};

}  // namespace dgm::models::score
