#include "models/score/conditional_score_model.h"

#include "autograd/ops/index_ops.h"
#include "autograd/ops/shape_ops.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"

namespace dgm::models::score {

ConditionalScoreModel::ConditionalScoreModel(const Tensor& sigmas_, int64_t dim_, int64_t hidden_, int64_t embed_dim_)
    : dim(dim_), hidden(hidden_), embed_dim(embed_dim_) {
  DGM_CHECK(sigmas_.dim() == 1 && sigmas_.size(0) > 0, "ConditionalScoreModel: expected sigmas (L), got ",
            shape_str(sigmas_.shape()));
  DGM_CHECK(dim > 0 && hidden > 0 && embed_dim > 0, "ConditionalScoreModel: sizes must be positive, got dim ", dim,
            ", hidden ", hidden, ", embed_dim ", embed_dim);
  sigmas = register_buffer("sigmas", sigmas_.to(kFloat32).clone());
  embed = register_module("embed", std::make_shared<nn::Sequential>(
                                       std::make_shared<nn::Linear>(1, embed_dim), std::make_shared<nn::Softplus>(),
                                       std::make_shared<nn::Linear>(embed_dim, embed_dim)));
  net = register_module("net", std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(dim + embed_dim, hidden),
                                                                std::make_shared<nn::Softplus>(),
                                                                std::make_shared<nn::Linear>(hidden, dim)));
}

std::string ConditionalScoreModel::extra_repr() const {
  return "dim=" + std::to_string(dim) + ", hidden=" + std::to_string(hidden) +
         ", embed_dim=" + std::to_string(embed_dim) + ", levels=" + std::to_string(sigmas.size(0));
}

Tensor ConditionalScoreModel::forward_sigma(const Tensor& x, const Tensor& sigma) {
  DGM_CHECK(x.dim() == 2 && x.size(1) == dim, "ConditionalScoreModel: expected x (B, ", dim, "), got ",
            shape_str(x.shape()));
  DGM_CHECK(sigma.dim() == 2 && sigma.size(0) == x.size(0) && sigma.size(1) == 1,
            "ConditionalScoreModel: expected sigma (", x.size(0), ", 1), got ", shape_str(sigma.shape()));
  // s(x, sigma) = net(cat(x, embed(sigma)))
  return net->forward(cat({x, embed->forward(sigma)}, 1));
}

Tensor ConditionalScoreModel::forward(const Tensor& x, const Tensor& y) {
  DGM_CHECK(y.dim() == 1 && y.size(0) == x.size(0) && y.dtype() == kInt64,
            "ConditionalScoreModel: expected level indices y (", x.size(0), ") int64, got ", shape_str(y.shape()));
  return forward_sigma(x, index_select(sigmas, 0, y).view({-1, 1}));
}

}  // namespace dgm::models::score
