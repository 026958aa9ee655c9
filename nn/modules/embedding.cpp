#include "nn/modules/embedding.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/index_ops.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::nn {

namespace {

void check_padding_idx(int64_t padding_idx, int64_t num_embeddings) {
  DGM_CHECK(padding_idx == -1 || (padding_idx >= 0 && padding_idx < num_embeddings), "Embedding: padding_idx ",
            padding_idx, " must be -1 (none) or in [0, ", num_embeddings, ")");
}

}  // namespace

Embedding::Embedding(int64_t n, int64_t dim, int64_t pad) : num_embeddings(n), embedding_dim(dim), padding_idx(pad) {
  DGM_CHECK(n > 0 && dim > 0, "Embedding: num_embeddings and embedding_dim must be positive, got ", n, " and ", dim);
  check_padding_idx(pad, n);
  weight = register_parameter("weight", empty({n, dim}, kFloat32));
  reset_parameters();
}

Embedding::Embedding(Pretrained, const Tensor& embeddings, bool freeze, int64_t pad)
    : num_embeddings(embeddings.size(0)), embedding_dim(embeddings.size(1)), padding_idx(pad) {
  check_padding_idx(pad, num_embeddings);
  weight = register_parameter("weight", embeddings.detach(), !freeze);
}

std::shared_ptr<Embedding> Embedding::from_pretrained(const Tensor& embeddings, bool freeze, int64_t padding_idx) {
  DGM_CHECK(embeddings.defined() && embeddings.dim() == 2 && embeddings.is_floating_point(),
            "Embedding.from_pretrained: expected a 2-D floating point tensor, got ",
            embeddings.defined() ? shape_str(embeddings.shape()) : std::string("an undefined tensor"));
  return std::shared_ptr<Embedding>(new Embedding(Pretrained{}, embeddings, freeze, padding_idx));
}

void Embedding::reset_parameters(Generator* gen) {
  init::normal_(weight, 0.0, 1.0, gen);
  if (padding_idx >= 0) {
    NoGradGuard no_grad;
    weight.select(0, padding_idx).zero_();
  }
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(weight, indices, padding_idx); }

std::string Embedding::extra_repr() const {
  std::string s = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  if (padding_idx >= 0) s += ", padding_idx=" + std::to_string(padding_idx);
  return s;
}

}  // namespace dgm::nn
