// Loss functions, as torch.nn.functional. reduction is "mean" (default),
// "sum" or "none" (one loss per element / sample, unreduced).
// All are composites of differentiable ops: gradients of any order follow.
#pragma once
#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace dgm::nn::functional {

// logits (N, K, d1, ..., dk) with class dim 1 (or (K) for one sample), target
// int64 (N, d1, ..., dk) (or ()) holding class indices in [0, K) or
// ignore_index. "mean" averages over the targets not ignored. label_smoothing
// e mixes the one-hot target with the uniform distribution: (1-e) one_hot + e/K.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const std::string& reduction = "mean",
                     int64_t ignore_index = -100, double label_smoothing = 0.0);

// -log_probs[n, target[n], ...], with the same shapes as cross_entropy.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const std::string& reduction = "mean",
                int64_t ignore_index = -100);

// -(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch;
// probs in [0, 1], target of the same shape.
Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target, const std::string& reduction = "mean");

// binary_cross_entropy(sigmoid(x), t) computed stably, as torch's:
//   loss = -w [p_w t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]
//        = w [p_w t softplus(-x) + (1 - t) softplus(x)]
// (log sigmoid(x) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x)).
// weight w (optional) broadcasts to the input's shape; pos_weight p_w
// (optional), the weight of the positive term, broadcasts along the last dim
// (one per class, e.g. (K) for an (N, K) input) as in PyTorch. Both may
// require grad.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const std::string& reduction = "mean", const Tensor& weight = Tensor(),
                                        const Tensor& pos_weight = Tensor());

// (a - b)^2, broadcasting a and b.
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::binary_cross_entropy;
using nn::functional::binary_cross_entropy_with_logits;
using nn::functional::cross_entropy;
using nn::functional::mse_loss;
using nn::functional::nll_loss;
}  // namespace dgm
