// ImageGPT (Chen et al., 2020) on binarized images, as in the course's
// homework 1 (task 3): the pixels in raster order are a sequence of L = H*W
// binary tokens, modelled autoregressively by a causal transformer,
//
//   p(x) = prod_t Bernoulli(x_t | sigmoid(logit_t(x_<t))).
//
// Layout inside the transformer is sequence-first, (L, B, E), as the course's
// nn.MultiheadAttention. The input sequence is shifted right by one with a
// learned start token (sos), so position t only sees x_<t:
//
//   h = [sos, emb(x_0), ..., emb(x_{L-2})] + pos_emb(0..L-1)      (L, B, E)
//   h = TransformerBlock^num_layers(h); logits = Linear(LayerNorm(h))  (B, L, 1)
//
// loss(x) = BCE with logits, averaged over pixels (nats per pixel, key "loss").
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "models/model.h"
#include "nn/modules/attention.h"
#include "nn/modules/embedding.h"
#include "nn/modules/linear.h"
#include "nn/modules/normalization.h"

namespace dgm::models {

// Masked self-attention over (L, B, E): forward(x) = MHA(x, x, x, attn_mask =
// get_attention_mask(x), need_weights = false), so position i attends to the
// positions <= i. Output shape = input shape.
class CausalSelfAttention : public nn::MultiheadAttention {
 public:
  CausalSelfAttention(int64_t embed_dim, int64_t num_heads) : nn::MultiheadAttention(embed_dim, num_heads) {}
  std::string name() const override { return "CausalSelfAttention"; }
  // (L, L) float mask on x's device: 0 on and below the diagonal, -inf above; L = x.size(0).
  Tensor get_attention_mask(const Tensor& x) const;
  Tensor forward(const Tensor& x) override;
};

// Pre-LN transformer block over (L, B, E):
//   a  = h + attn(ln1(h))
//   h' = a + fc2(relu(fc1(ln2(a))))       fc1: E -> 2E, fc2: 2E -> E
class TransformerBlock : public nn::Module {
 public:
  TransformerBlock(int64_t embed_dim, int64_t num_heads);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "TransformerBlock"; }

  std::shared_ptr<nn::LayerNorm> ln1, ln2;
  std::shared_ptr<CausalSelfAttention> attn;
  std::shared_ptr<nn::Linear> fc1, fc2;
};

class ImageGPT : public GenerativeModel {
 public:
  ImageGPT(std::pair<int64_t, int64_t> input_shape = {28, 28}, int64_t embed_dim = 64, int64_t num_heads = 4,
           int64_t num_layers = 2);
  std::string name() const override { return "ImageGPT"; }
  std::string extra_repr() const override;

  // x: (B, L') tokens in {0,1} (any dtype), or images (B,1,H,W), with
  // L' <= H*W (a prefix is enough: position t only sees tokens < t)
  // -> logits (B, L', 1).
  Tensor forward(const Tensor& x) override;
  // {"loss": BCE with logits, nats per pixel}.
  Losses loss(const Batch& batch) override;
  // n images (n,1,H,W) in {0,1}: L sequential Bernoulli draws.
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // The same distribution in L token passes instead of L prefix passes: the
  // key-value cache of models/ar/imagegpt_kv_cache.h. One forward pass over (up
  // to 16 of) the drawn images then checks the cache's logits; if they disagree (a forward
  // that is not the structure the cache assumes), it says so on stderr and
  // falls back to sample().
  Tensor generate(int64_t n, const SampleOptions& options = {}) override;

  // (L, B, E) -> (L, B, E): sos in front, the last embedding dropped.
  Tensor add_sos_token(const Tensor& h) const;
  // (L, B, E) -> (L, B, E) + position_embeddings(0..L-1) broadcast over B.
  Tensor add_pos_embeddings(const Tensor& h) const;

  int64_t height() const { return height_; }
  int64_t width() const { return width_; }

  Tensor sos;  // (E), starts at 0
  std::shared_ptr<nn::Embedding> token_embeddings, position_embeddings;
  std::vector<std::shared_ptr<TransformerBlock>> layers;
  std::shared_ptr<nn::LayerNorm> final_norm;
  std::shared_ptr<nn::Linear> head;

 private:
  int64_t height_, width_, embed_dim_, num_heads_, num_layers_;
};

}  // namespace dgm::models
