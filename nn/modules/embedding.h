// Embedding: a lookup table of num_embeddings vectors of size embedding_dim,
// as torch.nn.Embedding. forward(indices) = weight[indices], shape
// indices.shape + (embedding_dim,). weight starts as N(0, 1) with the row
// padding_idx zeroed; that row never receives a gradient.
//
// Differs from PyTorch: padding_idx = -1 means "no padding row" (as
// dgm::embedding), not the last row; max_norm / sparse are not supported.
#pragma once
#include "nn/module.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx = -1);
  // Uses `embeddings` (num_embeddings, embedding_dim) as the weight (sharing its
  // data, as PyTorch); freeze: the weight does not require grad. The padding
  // row keeps its given values.
  static std::shared_ptr<Embedding> from_pretrained(const Tensor& embeddings, bool freeze = true,
                                                    int64_t padding_idx = -1);
  Tensor forward(const Tensor& indices) override;
  void reset_parameters(Generator* gen = nullptr);
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;

  int64_t num_embeddings, embedding_dim, padding_idx;
  Tensor weight;

 private:
  struct Pretrained {};
  Embedding(Pretrained, const Tensor& embeddings, bool freeze, int64_t padding_idx);
};

}  // namespace dgm::nn
