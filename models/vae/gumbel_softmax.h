// The Gumbel-softmax (concrete) relaxation of a categorical draw (the course's
// supplementary deck: Gumbel-max and Gumbel-softmax, DALL-E's dVAE), with
// torch.nn.functional.gumbel_softmax's semantics:
//
//   g = -log(-log U),  U ~ U(0, 1)          (standard Gumbel noise, one per logit)
//   y = softmax((logits + g) / tau)         (soft: a point of the simplex; tau -> 0: one-hot)
//   argmax(logits + g) ~ Categorical(softmax(logits))   (Gumbel-max: the argmax is an exact draw)
//   hard: forward one_hot(argmax y), backward the soft sample's gradient (straight-through)
//
// The hard sample is written y_hard + (y - y.detach()) rather than PyTorch's
// y_hard - y.detach() + y: the same gradient, and a forward value that is
// exactly one-hot (PyTorch's order can be off by one ulp).
#pragma once
#include "tensor/random.h"

namespace dgm::models::vae {

// logits (..., K, ...) with the classes along `dim`; tau > 0. Same shape as logits.
Tensor gumbel_softmax(const Tensor& logits, double tau = 1, bool hard = false, Generator* gen = nullptr,
                      int64_t dim = -1);

}  // namespace dgm::models::vae
