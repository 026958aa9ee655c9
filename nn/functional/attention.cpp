#include "nn/functional/attention.h"

#include <cmath>
#include <limits>

#include "autograd/ops/linalg.h"
#include "nn/functional/attention_fused.h"
#include "nn/functional/linear.h"
#include "nn/functional/softmax.h"
#include "tensor/factories.h"

namespace dgm::nn::functional {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
}

Tensor generate_square_subsequent_mask(int64_t size, DType dtype) {
  DGM_CHECK(size >= 0, "generate_square_subsequent_mask: size must be non-negative, got ", size);
  // triu(ones, 1) marks j > i: those get -inf.
  Tensor above = ones({size, size}, kBool).triu(1);
  return zeros({size, size}, dtype).masked_fill(above, kNegInf);
}

namespace {

// The shapes of query (..., L, E), key (..., S, E), value (..., S, Ev), and the masks.
void check_inputs(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask, bool is_causal) {
  const char* op = "scaled_dot_product_attention";
  DGM_CHECK(q.defined() && k.defined() && v.defined() && q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2, op,
            ": query, key and value need at least 2 dims");
  DGM_CHECK(q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2), op, ": shapes query ", shape_str(q.shape()), ", key ",
            shape_str(k.shape()), ", value ", shape_str(v.shape()),
            " do not fit (query (..., L, E), key (..., S, E), value (..., S, Ev))");
  DGM_CHECK(q.dtype() == k.dtype() && k.dtype() == v.dtype(), op, ": query, key and value must have one dtype, got ",
            dtype_name(q.dtype()), ", ", dtype_name(k.dtype()), " and ", dtype_name(v.dtype()));
  DGM_CHECK(!(is_causal && attn_mask.defined()), op, ": give attn_mask or is_causal, not both");
}

double scale_or_default(const Tensor& q, std::optional<double> scale) {
  return scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
}

// The attention weights softmax(q k^T s + mask) (..., L, S), before dropout.
Tensor attention_weights(const Tensor& q, const Tensor& k, const Tensor& attn_mask, bool is_causal, double s) {
  const int64_t L = q.size(-2), S = k.size(-2);
  Tensor scores = matmul(q * s, k.mT());  // (..., L, S); scaling q (L x E) is cheaper than the scores (L x S)
  if (is_causal) scores = scores.masked_fill(ones({L, S}, kBool).triu(1).to(scores.device()), kNegInf);
  if (attn_mask.defined()) {
    if (attn_mask.dtype() == kBool)
      scores = scores.masked_fill(attn_mask.logical_not(), kNegInf);
    else
      scores = scores + attn_mask.to(scores.dtype());
  }
  return softmax(scores, -1);
}

}  // namespace

std::tuple<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& q, const Tensor& k, const Tensor& v,
                                                                     const Tensor& attn_mask, double dropout_p,
                                                                     bool is_causal, std::optional<double> scale,
                                                                     Generator* gen) {
  check_inputs(q, k, v, attn_mask, is_causal);
  Tensor weights = attention_weights(q, k, attn_mask, is_causal, scale_or_default(q, scale));
  if (dropout_p > 0) weights = dropout(weights, dropout_p, true, gen);
  return {matmul(weights, v), weights};
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale, Generator* gen) {
  check_inputs(q, k, v, attn_mask, is_causal);
  Tensor fused =
      fused_scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal, scale_or_default(q, scale));
  if (fused.defined()) return fused;
  return std::get<0>(scaled_dot_product_attention_with_weights(q, k, v, attn_mask, dropout_p, is_causal, scale, gen));
}

// With P = softmax(S), S = q k^T s + mask, out = P v:
//   dv = P^T g,  dP = g v^T,  dS = P (dP - rowsum(P dP)),  dq = s dS k,  dk = s dS^T q
std::vector<Tensor> scaled_dot_product_attention_grad(const Tensor& g, const Tensor& q, const Tensor& k,
                                                      const Tensor& v, const Tensor& attn_mask, bool is_causal,
                                                      double scale, const autograd::NeedsGrad& needs) {
  const Tensor p = attention_weights(q, k, attn_mask, is_causal, scale);
  std::vector<Tensor> grads(3);
  if (needs[2]) grads[2] = matmul(p.mT(), g);
  if (needs[0] || needs[1]) {
    const Tensor dp = matmul(g, v.mT());
    const Tensor ds = p * (dp - (p * dp).sum({-1}, true)) * scale;
    if (needs[0]) grads[0] = matmul(ds, k);
    if (needs[1]) grads[1] = matmul(ds.mT(), q);
  }
  return grads;
}

}  // namespace dgm::nn::functional
