#include "models/ar/imagegpt.h"

#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "nn/functional/loss.h"

namespace dgm::models {

Tensor CausalSelfAttention::get_attention_mask(const Tensor& x) const {
  // BEGIN SOLUTION hw1.4
  const int64_t L = x.size(0);
  const TensorOptions options = TensorOptions(kFloat32).device(x.device());
  Tensor above = ones({L, L}, options).triu(1);  // 1 strictly above the diagonal
  return zeros({L, L}, options).masked_fill(above.gt(0.5), -std::numeric_limits<double>::infinity());
  // END SOLUTION
}

Tensor CausalSelfAttention::forward(const Tensor& x) {
  return std::get<0>(nn::MultiheadAttention::forward(x, x, x, Tensor(), false, get_attention_mask(x)));
}

TransformerBlock::TransformerBlock(int64_t embed_dim, int64_t num_heads) {
  // BEGIN SOLUTION hw1.5/layers
  ln1 = register_module("ln1", std::make_shared<nn::LayerNorm>(Shape{embed_dim}));
  attn = register_module("attn", std::make_shared<CausalSelfAttention>(embed_dim, num_heads));
  ln2 = register_module("ln2", std::make_shared<nn::LayerNorm>(Shape{embed_dim}));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(embed_dim, 2 * embed_dim));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(2 * embed_dim, embed_dim));
  // END SOLUTION
}

Tensor TransformerBlock::forward(const Tensor& x) {
  // BEGIN SOLUTION hw1.5/forward
  Tensor a = x + attn->forward(ln1->forward(x));
  return a + fc2->forward(relu(fc1->forward(ln2->forward(a))));
  // END SOLUTION
}

ImageGPT::ImageGPT(std::pair<int64_t, int64_t> input_shape, int64_t embed_dim, int64_t num_heads, int64_t num_layers)
    : height_(input_shape.first),
      width_(input_shape.second),
      embed_dim_(embed_dim),
      num_heads_(num_heads),
      num_layers_(num_layers) {
  // BEGIN SOLUTION hw1.6/layers
  sos = register_parameter("sos", zeros({embed_dim}));
  token_embeddings = register_module("token_embeddings", std::make_shared<nn::Embedding>(2, embed_dim));
  position_embeddings =
      register_module("position_embeddings", std::make_shared<nn::Embedding>(height_ * width_, embed_dim));
  for (int64_t l = 0; l < num_layers; ++l)
    layers.push_back(
        register_module("layer" + std::to_string(l), std::make_shared<TransformerBlock>(embed_dim, num_heads)));
  final_norm = register_module("final_norm", std::make_shared<nn::LayerNorm>(Shape{embed_dim}));
  head = register_module("head", std::make_shared<nn::Linear>(embed_dim, 1, false));
  // END SOLUTION
}

std::string ImageGPT::extra_repr() const {
  return "input_shape=(" + std::to_string(height_) + ", " + std::to_string(width_) +
         "), embed_dim=" + std::to_string(embed_dim_) + ", num_heads=" + std::to_string(num_heads_) +
         ", num_layers=" + std::to_string(num_layers_);
}

Tensor ImageGPT::add_sos_token(const Tensor& h) const {
  // BEGIN SOLUTION hw1.6/sos
  const int64_t L = h.size(0), B = h.size(1);
  Tensor start = sos.view({1, 1, embed_dim_}).expand({1, B, embed_dim_});
  if (L == 1) return start.contiguous();
  return cat({start, h.narrow(0, 0, L - 1)}, 0);
  // END SOLUTION
}

Tensor ImageGPT::add_pos_embeddings(const Tensor& h) const {
  // BEGIN SOLUTION hw1.6/positions
  const int64_t L = h.size(0);
  Tensor positions = arange(static_cast<double>(L), TensorOptions(kInt64).device(h.device())).view({L, 1});
  return h + position_embeddings->forward(positions);
  // END SOLUTION
}

Tensor ImageGPT::forward(const Tensor& x) {
  // BEGIN SOLUTION hw1.6/forward
  Tensor tokens = x.dim() == 2 ? x : x.flatten(1);
  DGM_CHECK(tokens.size(1) <= height_ * width_, "ImageGPT: at most ", height_ * width_, " tokens, got ",
            tokens.size(1));
  Tensor h = token_embeddings->forward(tokens.to(kInt64)).transpose(0, 1);  // (L, B, E)
  h = add_pos_embeddings(add_sos_token(h));
  for (const auto& layer : layers) h = layer->forward(h);
  return head->forward(final_norm->forward(h)).transpose(0, 1);  // (B, L, 1)
  // END SOLUTION
}

Losses ImageGPT::loss(const Batch& batch) {
  [[maybe_unused]] const Tensor& x = batch.x;
  // BEGIN SOLUTION hw1.6/loss
  Tensor logits = forward(x);
  Tensor target = (x.dim() == 2 ? x : x.flatten(1)).to(logits.dtype());
  return {{"loss", nn::functional::binary_cross_entropy_with_logits(logits.flatten(), target.flatten())}};
  // END SOLUTION
}

Tensor ImageGPT::sample(int64_t n, const SampleOptions& options) {
  [[maybe_unused]] Generator* gen = options.gen;
  // BEGIN SOLUTION hw1.6/sample
  NoGradGuard no_grad;
  const int64_t L = height_ * width_;
  Tensor x = zeros({n, L}, TensorOptions().device(parameters().front().device()));
  for (int64_t t = 0; t < L; ++t) {
    // position t only sees tokens < t: the prefix of length t+1 suffices
    Tensor logits = forward(x.narrow(1, 0, t + 1));  // (n, t+1, 1)
    Tensor p = sigmoid(logits.select(2, 0).select(1, t));
    x.select(1, t).copy_(bernoulli(p, gen));
  }
  return x.view({n, 1, height_, width_});
  // END SOLUTION
}

}  // namespace dgm::models
