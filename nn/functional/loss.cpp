// Losses as composites. nll_loss picks the target class with a one-hot mask
// (target == arange(K)) instead of gather; its gradient is that mask times
// -g (divided by the number of counted targets for "mean").
#include "nn/functional/loss.h"

#include <limits>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "nn/functional/softmax.h"
#include "tensor/factories.h"

namespace dgm::nn::functional {

namespace {

void check_reduction(const char* op, const std::string& reduction) {
  DGM_CHECK(reduction == "mean" || reduction == "sum" || reduction == "none", op,
            ": reduction must be \"mean\", \"sum\" or \"none\", got \"", reduction, "\"");
}

void check_floating(const char* op, const char* what, const Tensor& x) {
  DGM_CHECK(x.defined(), op, ": ", what, " is undefined");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point ", what, ", got ", dtype_name(x.dtype()),
            " of shape ", shape_str(x.shape()));
}

Tensor reduce_loss(const Tensor& loss, const std::string& reduction) {
  if (reduction == "none") return loss;
  if (reduction == "sum") return loss.sum();
  return loss.mean();
}

// Checks an (N, K, *) input against an int64 (N, *) target; returns the
// one-hot mask (N, K, *) of the target classes (all false where ignored) and
// the mask (N, *) of the targets that count.
std::pair<Tensor, Tensor> class_masks(const char* op, const Tensor& input, const Tensor& target, int64_t ignore_index) {
  DGM_CHECK(target.defined(), op, ": target is undefined");
  DGM_CHECK(target.dtype() == kInt64, op, ": target must be an int64 tensor of class indices, got ",
            dtype_name(target.dtype()), " of shape ", shape_str(target.shape()));
  DGM_CHECK(input.dim() >= 1, op, ": input must have a class dim, got shape ", shape_str(input.shape()));
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  Shape expected = input.shape();
  expected.erase(expected.begin() + class_dim);
  DGM_CHECK(target.shape() == expected, op, ": expected target of shape ", shape_str(expected), " for input of shape ",
            shape_str(input.shape()), " (class dim ", class_dim, "), got ", shape_str(target.shape()));
  const int64_t k = input.size(class_dim);
  Tensor valid = target.ne(static_cast<double>(ignore_index));
  Tensor out_of_range = logical_and(valid, logical_or(target.lt(0.0), target.ge(static_cast<double>(k))));
  if (any(out_of_range).item<bool>()) {
    int64_t bad = 0;
    for (int64_t t : target.masked_fill(logical_not(out_of_range), 0.0).to_vector<int64_t>())
      if (t != 0) {
        bad = t;
        break;
      }
    DGM_FAIL(op, ": target ", bad, " is out of range for ", k, " classes (input shape ", shape_str(input.shape()), ")");
  }
  Shape ar(input.dim(), 1);
  ar[class_dim] = k;
  Tensor classes = arange(0, static_cast<double>(k), 1, TensorOptions(kInt64).device(input.device())).reshape(ar);
  return {target.unsqueeze(class_dim).eq(classes), valid};
}

// loss summed or averaged over the counted targets (as PyTorch's "mean"
// divides by the number of targets not ignored).
Tensor reduce_counted(const Tensor& loss, const Tensor& valid, const std::string& reduction) {
  if (reduction == "none") return loss;
  if (reduction == "sum") return loss.sum();
  return loss.sum() / valid.sum().to(loss.dtype());
}

}  // namespace

// nll = -log_probs[target]; d nll / d log_probs = -one_hot(target)
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const std::string& reduction, int64_t ignore_index) {
  check_reduction("nll_loss", reduction);
  check_floating("nll_loss", "input", log_probs);
  auto [one_hot, valid] = class_masks("nll_loss", log_probs, target, ignore_index);
  const int64_t class_dim = log_probs.dim() == 1 ? 0 : 1;
  Tensor loss = -where(one_hot, log_probs, 0.0).sum({class_dim});
  return reduce_counted(loss, valid, reduction);
}

// ce = (1 - e) nll(log_softmax(x)) + e/K sum_k -log_softmax(x)_k
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const std::string& reduction, int64_t ignore_index,
                     double label_smoothing) {
  check_reduction("cross_entropy", reduction);
  check_floating("cross_entropy", "input", logits);
  DGM_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ",
            label_smoothing);
  const int64_t class_dim = logits.dim() == 1 ? 0 : 1;
  auto [one_hot, valid] = class_masks("cross_entropy", logits, target, ignore_index);
  Tensor lp = log_softmax(logits, class_dim);
  Tensor loss = -where(one_hot, lp, 0.0).sum({class_dim});
  if (label_smoothing > 0) {
    const double k = static_cast<double>(logits.size(class_dim));
    Tensor smooth = where(valid, -lp.sum({class_dim}), 0.0);
    loss = (1 - label_smoothing) * loss + (label_smoothing / k) * smooth;
  }
  return reduce_counted(loss, valid, reduction);
}

// bce = -(t log p + (1 - t) log(1 - p)), logs clamped at -100 (their gradient is 0 below)
Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target, const std::string& reduction) {
  check_reduction("binary_cross_entropy", reduction);
  check_floating("binary_cross_entropy", "input", probs);
  check_floating("binary_cross_entropy", "target", target);
  DGM_CHECK(probs.shape() == target.shape(), "binary_cross_entropy: target of shape ", shape_str(target.shape()),
            " must have the input's shape ", shape_str(probs.shape()));
  Tensor p = probs.detach();
  DGM_CHECK(!any(logical_or(p.lt(0.0), p.gt(1.0))).item<bool>(),
            "binary_cross_entropy: all elements of input should be between 0 and 1 (input shape ",
            shape_str(probs.shape()), ")");
  Tensor log_p = clamp(log(probs), -100.0, std::nullopt);
  Tensor log_1mp = clamp(log(1.0 - probs), -100.0, std::nullopt);
  return reduce_loss(-(target * log_p + (1.0 - target) * log_1mp), reduction);
}

// d/dx [softplus(x) - x t] = sigmoid(x) - t (softplus without its linear cutoff)
namespace {
// A weight of bce_with_logits must broadcast to the input's shape (the input's
// shape being the result's): trailing dims equal or 1.
void check_weight_shape(const char* what, const Tensor& w, const Tensor& logits) {
  if (!w.defined()) return;
  check_floating("binary_cross_entropy_with_logits", what, w);
  DGM_CHECK(w.device() == logits.device(), "binary_cross_entropy_with_logits: ", what, " is on ", w.device().str(),
            " but the input is on ", logits.device().str());
  const Shape& to = logits.shape();
  bool ok = w.dim() <= logits.dim();
  for (int64_t i = 1; ok && i <= w.dim(); ++i) ok = w.size(-i) == 1 || w.size(-i) == to[to.size() - i];
  DGM_CHECK(ok, "binary_cross_entropy_with_logits: ", what, " of shape ", shape_str(w.shape()),
            " cannot be broadcast to the input's shape ", shape_str(to),
            std::string(what) == "pos_weight" ? " (it weighs the last dim, one value per class)" : "");
}
}  // namespace

// loss = w [p_w t softplus(-x) + (1 - t) softplus(x)]; softplus without a
// threshold is exp-free for large |x| (max(x, 0) + log1p(exp(-|x|))), so
// values and gradients stay finite for any x.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, const std::string& reduction,
                                        const Tensor& weight, const Tensor& pos_weight) {
  check_reduction("binary_cross_entropy_with_logits", reduction);
  check_floating("binary_cross_entropy_with_logits", "input", logits);
  check_floating("binary_cross_entropy_with_logits", "target", target);
  DGM_CHECK(logits.shape() == target.shape(), "binary_cross_entropy_with_logits: target of shape ",
            shape_str(target.shape()), " must have the input's shape ", shape_str(logits.shape()));
  check_weight_shape("weight", weight, logits);
  check_weight_shape("pos_weight", pos_weight, logits);
  const double no_threshold = std::numeric_limits<double>::infinity();
  Tensor neg_log_p = softplus(-logits, 1.0, no_threshold);     // -log sigmoid(x)
  Tensor neg_log_not_p = softplus(logits, 1.0, no_threshold);  // -log(1 - sigmoid(x))
  Tensor positive = pos_weight.defined() ? pos_weight * target * neg_log_p : target * neg_log_p;
  Tensor loss = positive + (1.0 - target) * neg_log_not_p;
  if (weight.defined()) loss = loss * weight;
  return reduce_loss(loss, reduction);
}

// d/da (a - b)^2 = 2 (a - b)
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_reduction("mse_loss", reduction);
  check_floating("mse_loss", "input", input);
  Tensor diff = input - target;
  return reduce_loss(diff * diff, reduction);
}

}  // namespace dgm::nn::functional
