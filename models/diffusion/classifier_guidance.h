// Classifier guidance (lecture 10; Dhariwal & Nichol 2021): a classifier p_phi(y | x_t, t) of noisy inputs steers
// an unconditional noise predictor toward a class. Since eps_theta(x_t, t) = -sqrt(1 - abar_t) grad log p(x_t),
//
//   grad log p(x_t | y) = grad log p(x_t) + grad log p(y | x_t)          (Bayes; p(y) does not depend on x_t)
//   eps^(x_t, t, y)     = eps_theta(x_t, t) - gamma sqrt(1 - abar_t) grad_x log p_phi(y | x_t, t)
//
// gamma = 1 is the exact class-conditional score when eps_theta and p_phi are exact; gamma > 1 sharpens the
// classes (the distribution proportional to p(x_t) p(y | x_t)^gamma). eps^ plugs into any sampler of samplers.h
// (DDPM or DDIM) through classifier_guided(). The input gradient is taken by autograd on a detached copy of x_t
// with grad mode on for that call only (the samplers run under NoGradGuard), so no parameter gradient is touched.
#pragma once
#include <functional>

#include "models/diffusion/diffusion_schedule.h"
#include "models/diffusion/samplers.h"

namespace dgm::models::diffusion {

// log p_phi(y_i | x_t_i, t_i) for every example: x_t (B, ...), t (B) int64, y (B) int64 -> (B).
using LogProbFn = std::function<Tensor(const Tensor& x_t, const Tensor& t, const Tensor& y)>;
// Logits (B, C) of a classifier of noisy inputs.
using LogitsFn = std::function<Tensor(const Tensor& x_t, const Tensor& t)>;

// log_softmax(logits(x_t, t))[i, y_i]: the LogProbFn of a classifier that returns logits.
LogProbFn log_prob_from_logits(LogitsFn logits);

// grad_x sum_i log p(y_i | x_i, t_i), of x_t's shape and dtype, without a graph.
Tensor classifier_log_prob_grad(const LogProbFn& log_prob, const Tensor& x_t, const Tensor& t, const Tensor& y);

// eps^ = eps - gamma sqrt(1 - abar_t) grad, abar_t from the schedule per example.
Tensor classifier_guided_eps(const BaseDiffusion& schedule, const Tensor& eps, const Tensor& grad, const Tensor& t,
                             double gamma);

// The guided noise predictor for ddpm_sample_loop / ddim_sample_loop: eps^(x_t, t) for the labels y (B) int64 and
// scale gamma >= 0 (gamma = 0: eps itself, the classifier is not called). `schedule` must outlive the result.
EpsFn classifier_guided(const BaseDiffusion& schedule, EpsFn eps, LogProbFn log_prob, Tensor y, double gamma);

}  // namespace dgm::models::diffusion
