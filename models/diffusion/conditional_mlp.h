// The noise predictor of homework 5 task 2 (given code in the notebook): an MLP on 2-D points conditioned on the
// timestep by a learned embedding added to the projected input.
//
//   ConditionalMLP(input_dim, num_embeds, hidden_dim = 128)
//     h         = SELU(x_proj(x) + t_proj(t))      x_proj = Linear(input_dim, hidden), t_proj = Embedding(T, hidden)
//     eps(x, t) = backbone(h)                      backbone = Linear -> SELU -> Linear -> SELU -> Linear(-> input_dim)
#pragma once
#include <memory>

#include "nn/modules/container.h"
#include "nn/modules/embedding.h"
#include "nn/modules/linear.h"

namespace dgm::models::diffusion {

class ConditionalMLP : public nn::Module {
 public:
  ConditionalMLP(int64_t input_dim, int64_t num_embeds, int64_t hidden_dim = 128);
  // x (B, input_dim) float, t (B) int64 in [0, num_embeds) -> (B, input_dim).
  Tensor forward(const Tensor& x, const Tensor& t);
  std::string name() const override { return "ConditionalMLP"; }

  const int64_t input_dim, num_embeds, hidden_dim;
  std::shared_ptr<nn::Linear> x_proj;
  std::shared_ptr<nn::Embedding> t_proj;
  std::shared_ptr<nn::Sequential> backbone;
};

}  // namespace dgm::models::diffusion
