#include "models/diffusion/conditional_mlp.h"

#include "autograd/ops/elementwise.h"
#include "nn/modules/activation.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

ConditionalMLP::ConditionalMLP(int64_t input_dim_, int64_t num_embeds_, int64_t hidden_dim_)
    : input_dim(input_dim_), num_embeds(num_embeds_), hidden_dim(hidden_dim_) {
  DGM_CHECK(input_dim > 0 && num_embeds > 0 && hidden_dim > 0,
            "ConditionalMLP: expected positive input_dim, num_embeds and hidden_dim, got ", input_dim, ", ", num_embeds,
            ", ", hidden_dim);
  x_proj = register_module("x_proj", std::make_shared<nn::Linear>(input_dim, hidden_dim));
  t_proj = register_module("t_proj", std::make_shared<nn::Embedding>(num_embeds, hidden_dim));
  backbone = register_module("backbone", std::make_shared<nn::Sequential>());
  backbone->push_back(std::make_shared<nn::Linear>(hidden_dim, hidden_dim));
  backbone->push_back(std::make_shared<nn::SELU>());
  backbone->push_back(std::make_shared<nn::Linear>(hidden_dim, hidden_dim));
  backbone->push_back(std::make_shared<nn::SELU>());
  backbone->push_back(std::make_shared<nn::Linear>(hidden_dim, input_dim));
}

Tensor ConditionalMLP::forward(const Tensor& x, const Tensor& t) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == input_dim && t.defined() && t.dim() == 1 &&
                t.size(0) == x.size(0) && t.dtype() == kInt64,
            "ConditionalMLP: expected x (B, ", input_dim, ") and t (B) int64, got x ",
            x.defined() ? shape_str(x.shape()) : "none", " and t ",
            t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : "none");
  // h = SELU(x_proj(x) + t_proj(t))
  const Tensor h = selu(x_proj->forward(x) + t_proj->forward(t));
  return backbone->forward(h);
}

}  // namespace dgm::models::diffusion
