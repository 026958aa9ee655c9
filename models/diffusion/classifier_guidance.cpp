#include "models/diffusion/classifier_guidance.h"

#include <utility>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "nn/functional/softmax.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

LogProbFn log_prob_from_logits(LogitsFn logits) {
  return [logits = std::move(logits)](const Tensor& x_t, const Tensor& t, const Tensor& y) {
    const Tensor l = logits(x_t, t);
    DGM_CHECK(l.dim() == 2 && l.size(0) == x_t.size(0), "log_prob_from_logits: expected logits (B, C) for x_t ",
              shape_str(x_t.shape()), ", got ", shape_str(l.shape()));
    DGM_CHECK(y.defined() && y.dim() == 1 && y.size(0) == l.size(0) && y.dtype() == kInt64,
              "log_prob_from_logits: expected labels (B) int64 for logits ", shape_str(l.shape()), ", got ",
              y.defined() ? shape_str(y.shape()) : std::string("none"));
    // log p(y | x_t, t) = log_softmax(logits)[y]
    return nn::functional::log_softmax(l, 1).gather(1, y.to(l.device()).unsqueeze(1)).reshape({-1});
  };
}

Tensor classifier_log_prob_grad(const LogProbFn& log_prob, const Tensor& x_t, const Tensor& t, const Tensor& y) {
  DGM_CHECK(x_t.defined() && x_t.dim() >= 1, "classifier_log_prob_grad: expected x_t (B, ...)");
  AutoGradMode grad_on(true);
  Tensor x = x_t.detach().clone();
  x.requires_grad_(true);
  const Tensor lp = log_prob(x, t, y);
  DGM_CHECK(lp.defined() && lp.dim() == 1 && lp.size(0) == x.size(0), "classifier_log_prob_grad: log p(y | x_t, t) ",
            "must give one value per example of x_t ", shape_str(x_t.shape()), ", got ",
            lp.defined() ? shape_str(lp.shape()) : std::string("nothing"));
  // d/dx sum_i log p(y_i | x_i): example i's term depends on x_i only, so this is each example's gradient
  return autograd::grad({lp.sum()}, {x})[0].detach();
}

Tensor classifier_guided_eps(const BaseDiffusion& schedule, const Tensor& eps, const Tensor& grad, const Tensor& t,
                             double gamma) {
  DGM_CHECK(eps.shape() == grad.shape(), "classifier_guided_eps: eps ", shape_str(eps.shape()), " and the gradient ",
            shape_str(grad.shape()), " must have one shape");
  DGM_CHECK(gamma >= 0, "classifier_guided_eps: the guidance scale gamma must be >= 0, got ", gamma);
  const Tensor sqrt_one_minus_abar = (1.0 - schedule.alphas_cumprod).sqrt();
  // eps^ = eps - gamma sqrt(1 - abar_t) grad_x log p(y | x_t, t)
  return eps - gamma * extract_into_tensor(sqrt_one_minus_abar, t, eps.shape(), eps) * grad;
}

EpsFn classifier_guided(const BaseDiffusion& schedule, EpsFn eps, LogProbFn log_prob, Tensor y, double gamma) {
  DGM_CHECK(gamma >= 0, "classifier_guided: the guidance scale gamma must be >= 0, got ", gamma);
  DGM_CHECK(y.defined() && y.dim() == 1 && y.dtype() == kInt64, "classifier_guided: expected labels (B) int64, got ",
            y.defined() ? shape_str(y.shape()) : std::string("none"));
  return [&schedule, eps = std::move(eps), log_prob = std::move(log_prob), y = std::move(y), gamma](const Tensor& x_t,
                                                                                                    const Tensor& t) {
    DGM_CHECK(x_t.size(0) == y.size(0), "classifier_guided: ", y.size(0), " labels for a batch x_t ",
              shape_str(x_t.shape()));
    const Tensor e = eps(x_t, t);
    if (gamma == 0) return e;
    return classifier_guided_eps(schedule, e, classifier_log_prob_grad(log_prob, x_t, t, y), t, gamma);
  };
}

}  // namespace dgm::models::diffusion
