#include "nn/modules/attention.h"

#include <limits>
#include <tuple>

#include "nn/functional/attention.h"
#include "nn/functional/linear.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::nn {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// A bool mask (true = not allowed) as an additive float mask; a float mask as is.
Tensor additive_mask(const Tensor& mask, DType dtype) {
  if (mask.dtype() == kBool)
    return zeros(mask.shape(), TensorOptions(dtype).device(mask.device())).masked_fill(mask, kNegInf);
  DGM_CHECK(mask.is_floating_point(), "MultiheadAttention: masks must be bool or floating point, got ",
            dtype_name(mask.dtype()));
  return mask.to(dtype);
}
}  // namespace

MultiheadAttention::MultiheadAttention(int64_t e, int64_t h, double p, bool bias, bool bf)
    : embed_dim(e), num_heads(h), head_dim(h > 0 ? e / h : 0), dropout(p), batch_first(bf) {
  DGM_CHECK(e > 0 && h > 0 && e % h == 0, "MultiheadAttention: embed_dim=", e, " must be divisible by num_heads=", h);
  DGM_CHECK(p >= 0 && p <= 1, "MultiheadAttention: dropout must be in [0, 1], got ", p);
  in_proj_weight = register_parameter("in_proj_weight", empty({3 * e, e}, kFloat32));
  if (bias) in_proj_bias = register_parameter("in_proj_bias", empty({3 * e}, kFloat32));
  out_proj = register_module("out_proj", std::make_shared<Linear>(e, e, bias));
  reset_parameters();
}

void MultiheadAttention::reset_parameters(Generator* gen) {
  init::xavier_uniform_(in_proj_weight, 1.0, gen);
  if (in_proj_bias.defined()) init::zeros_(in_proj_bias);
  if (out_proj->bias.defined()) init::zeros_(out_proj->bias);
}

std::tuple<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                       const Tensor& key_padding_mask, bool need_weights,
                                                       const Tensor& attn_mask, bool average_attn_weights) {
  const char* op = "MultiheadAttention";
  DGM_CHECK(query.defined() && key.defined() && value.defined(), op, ": query, key and value must be defined");
  const bool batched = query.dim() == 3;
  DGM_CHECK((query.dim() == 3 || query.dim() == 2) && key.dim() == query.dim() && value.dim() == query.dim() &&
                query.size(-1) == embed_dim && key.size(-1) == embed_dim && value.size(-1) == embed_dim,
            op, ": expected query, key, value of shape (L, B, ", embed_dim, ") / (S, B, ", embed_dim,
            ") (or batch_first, or unbatched), got ", shape_str(query.shape()), ", ", shape_str(key.shape()), ", ",
            shape_str(value.shape()));
  // Work in (L, B, E).
  auto to_lbe = [&](const Tensor& t) {
    if (!batched) return t.unsqueeze(1);
    return batch_first ? t.transpose(0, 1) : t;
  };
  Tensor q = to_lbe(query), k = to_lbe(key), v = to_lbe(value);
  const int64_t L = q.size(0), B = q.size(1), S = k.size(0), E = embed_dim, H = num_heads;
  DGM_CHECK(k.size(1) == B && v.size(1) == B && v.size(0) == S, op, ": key ", shape_str(key.shape()), " and value ",
            shape_str(value.shape()), " do not match query ", shape_str(query.shape()));

  // Input projections, then heads: (L, B, E) -> (L, B*H, d) -> (B*H, L, d).
  auto part = [&](int64_t i) { return in_proj_bias.defined() ? in_proj_bias.slice(0, i * E, (i + 1) * E) : Tensor(); };
  auto heads = [&](const Tensor& t, int64_t len) { return t.reshape({len, B * H, head_dim}).transpose(0, 1); };
  Tensor qh = heads(functional::linear(q, in_proj_weight.slice(0, 0, E), part(0)), L);
  Tensor kh = heads(functional::linear(k, in_proj_weight.slice(0, E, 2 * E), part(1)), S);
  Tensor vh = heads(functional::linear(v, in_proj_weight.slice(0, 2 * E, 3 * E), part(2)), S);

  // One additive mask broadcasting to (B*H, L, S): an (L, S) one stays 2-D, so that without key_padding_mask
  // and weights the fused attention applies.
  Tensor mask;
  if (attn_mask.defined()) {
    const bool ok = (attn_mask.dim() == 2 && attn_mask.shape() == Shape{L, S}) ||
                    (attn_mask.dim() == 3 && attn_mask.shape() == Shape{B * H, L, S});
    DGM_CHECK(ok, op, ": attn_mask must have shape (", L, ", ", S, ") or (", B * H, ", ", L, ", ", S, "), got ",
              shape_str(attn_mask.shape()));
    mask = additive_mask(attn_mask, qh.dtype());
  }
  if (key_padding_mask.defined()) {
    const Shape expected = batched ? Shape{B, S} : Shape{S};
    DGM_CHECK(key_padding_mask.shape() == expected, op, ": key_padding_mask must have shape ", shape_str(expected),
              ", got ", shape_str(key_padding_mask.shape()));
    Tensor kpm =
        additive_mask(key_padding_mask, qh.dtype()).reshape({B, 1, 1, S}).expand({B, H, 1, S}).reshape({B * H, 1, S});
    mask = mask.defined() ? mask + kpm : kpm;
  }

  const double p = is_training() ? dropout : 0.0;
  Tensor attn, weights;
  if (need_weights)
    std::tie(attn, weights) =
        functional::scaled_dot_product_attention_with_weights(qh, kh, vh, mask, p, false, std::nullopt, generator);
  else
    attn = functional::scaled_dot_product_attention(qh, kh, vh, mask, p, false, std::nullopt, generator);
  // (B*H, L, d) -> (L, B*H, d) -> (L, B, E), then the output projection.
  Tensor out = out_proj->forward(attn.transpose(0, 1).reshape({L, B, E}));
  if (!batched)
    out = out.squeeze(1);
  else if (batch_first)
    out = out.transpose(0, 1);

  Tensor w;
  if (need_weights) {
    w = weights.reshape({B, H, L, S});
    if (average_attn_weights) w = w.mean({1});
    if (!batched) w = w.squeeze(0);
  }
  return {out, w};
}

}  // namespace dgm::nn
