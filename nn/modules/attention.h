// MultiheadAttention as torch.nn.MultiheadAttention (PyTorch 1.13 semantics):
//   head_i = softmax((q W_q,i)(k W_k,i)^T / sqrt(d) + mask) (v W_v,i),  d = embed_dim / num_heads
//   out    = concat(head_1, ..., head_h) W_o^T + b_o
// Shapes: query (L, B, E), key/value (S, B, E) -- or (B, L, E), (B, S, E) with
// batch_first -- or unbatched (L, E), (S, E). Returns (output like query,
// attention weights (B, L, S) averaged over heads, or (B, heads, L, S) with
// average_attn_weights=false; undefined when need_weights=false).
// Masks: key_padding_mask (B, S), attn_mask (L, S) or (B*heads, L, S); a bool
// mask's true means "not allowed" (-inf), a float mask is added to the scores.
// With need_weights=false, no key_padding_mask, no dropout and an (L, S) or no attn_mask,
// the heads go through the fused attention (the scores are never held whole).
// Parameters: in_proj_weight (3E, E) = [W_q; W_k; W_v] (xavier_uniform_),
// in_proj_bias (3E) (zeros), out_proj (Linear E -> E, bias zeros).
// Not supported: kdim/vdim != embed_dim, add_bias_kv, add_zero_attn.
#pragma once
#include <memory>
#include <tuple>

#include "nn/functional/attention.h"
#include "nn/module.h"
#include "nn/modules/linear.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

class MultiheadAttention : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, double dropout = 0.0, bool bias = true,
                     bool batch_first = false);
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {}, bool average_attn_weights = true);
  using Module::forward;
  void reset_parameters(Generator* gen = nullptr);
  std::string name() const override { return "MultiheadAttention"; }

  int64_t embed_dim, num_heads, head_dim;
  double dropout;
  bool batch_first;
  Generator* generator = nullptr;  // for attention dropout; nullptr: the default generator
  Tensor in_proj_weight, in_proj_bias;
  std::shared_ptr<Linear> out_proj;
};

// (L, L) float mask, 0 on and below the diagonal and -inf above: position i
// attends to positions <= i (torch.nn.Transformer.generate_square_subsequent_mask).
using functional::generate_square_subsequent_mask;

}  // namespace dgm::nn
