#include "nn/functional/attention.h"

#include <cmath>
#include <limits>

#include "autograd/ops/linalg.h"
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

std::tuple<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& q, const Tensor& k, const Tensor& v,
                                                                     const Tensor& attn_mask, double dropout_p,
                                                                     bool is_causal, std::optional<double> scale,
                                                                     Generator* gen) {
  const char* op = "scaled_dot_product_attention";
  DGM_CHECK(q.defined() && k.defined() && v.defined() && q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2, op,
            ": query, key and value need at least 2 dims");
  DGM_CHECK(q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2), op, ": shapes query ", shape_str(q.shape()), ", key ",
            shape_str(k.shape()), ", value ", shape_str(v.shape()),
            " do not fit (query (..., L, E), key (..., S, E), value (..., S, Ev))");
  DGM_CHECK(!(is_causal && attn_mask.defined()), op, ": give attn_mask or is_causal, not both");
  const int64_t L = q.size(-2), S = k.size(-2);
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  Tensor scores = matmul(q * s, k.mT());  // (..., L, S); scaling q (L x E) is cheaper than the scores (L x S)
  if (is_causal) scores = scores.masked_fill(ones({L, S}, kBool).triu(1).to(scores.device()), kNegInf);
  if (attn_mask.defined()) {
    if (attn_mask.dtype() == kBool)
      scores = scores.masked_fill(attn_mask.logical_not(), kNegInf);
    else
      scores = scores + attn_mask.to(scores.dtype());
  }
  Tensor weights = softmax(scores, -1);
  if (dropout_p > 0) weights = dropout(weights, dropout_p, true, gen);
  return {matmul(weights, v), weights};
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale, Generator* gen) {
  return std::get<0>(scaled_dot_product_attention_with_weights(q, k, v, attn_mask, dropout_p, is_causal, scale, gen));
}

}  // namespace dgm::nn::functional
