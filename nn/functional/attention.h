// Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention
// (PyTorch 2.x): query (..., L, E), key (..., S, E), value (..., S, Ev) ->
//   out = softmax(q k^T * scale + mask) v     (..., L, Ev), scale = 1/sqrt(E) by default.
// attn_mask broadcasts to (..., L, S): a bool mask says which positions TAKE
// PART (true = attend, PyTorch 2's convention for this function; note that
// nn::MultiheadAttention's bool masks mean the opposite, as in PyTorch); a
// floating point mask is added to the scores. is_causal masks key j > query i.
// Dropout (probability dropout_p, always applied when > 0, as PyTorch) hits
// the attention weights. A row with every key masked gives NaN, as PyTorch.
// scaled_dot_product_attention runs the fused kernel (never holding the
// (..., L, S) scores; nn/functional/attention_fused.h) where it applies: no
// dropout, no bool mask, a float mask of shape (L, S) or none; otherwise, and
// for _with_weights, it composes matmul, mask, softmax and matmul.
#pragma once
#include <optional>
#include <tuple>

#include "tensor/tensor.h"

namespace dgm {
class Generator;
}

namespace dgm::nn::functional {

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0.0, bool is_causal = false,
                                    std::optional<double> scale = std::nullopt, Generator* gen = nullptr);

// The same, also returning the attention weights (..., L, S) (after dropout).
std::tuple<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& query, const Tensor& key,
                                                                     const Tensor& value, const Tensor& attn_mask = {},
                                                                     double dropout_p = 0.0, bool is_causal = false,
                                                                     std::optional<double> scale = std::nullopt,
                                                                     Generator* gen = nullptr);

// (L, L) float mask for causal attention: 0 on and below the diagonal, -inf above
// (as torch.nn.Transformer.generate_square_subsequent_mask), to add to scores.
Tensor generate_square_subsequent_mask(int64_t size, DType dtype = kFloat32);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::generate_square_subsequent_mask;
using nn::functional::scaled_dot_product_attention;
}  // namespace dgm
