// The gradient penalties of lecture 6 and seminars 6-7, on any critic (a function from a batch to scores (B, 1)
// or (B,)). Both differentiate the critic with respect to its input with create_graph, so the penalty's own
// gradient with respect to the critic's weights is a second derivative (double backward).
//
//   WGAN-GP (Gulrajani et al. 2017; homework 3 task 3):
//     x_t = t x_real + (1 - t) x_fake,  t ~ U[0, 1] one per example
//     gradient_penalty = mean_i ( ||d f(x_t) / d x_t [i]||_2 - 1 )^2      (lambda applied by the caller)
//   R1 (Mescheder et al. 2018; seminar 7's MicroStyleGAN):
//     r1_penalty = mean_i ||d D(x_real) / d x_real [i]||_2^2               (gamma / 2 applied by the caller)
//
// The per-example gradient norm is over every non-batch dimension; it is a norm per example because the critic
// treats examples independently (no BatchNorm in a critic with a penalty, as homework 3 says).
#pragma once
#include <functional>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::gan {

using Critic = std::function<Tensor(const Tensor&)>;

// ||d sum_i f(x)_i / d x [i]||_2 per example: (B,), differentiable with respect to the critic's weights.
Tensor input_gradient_norm(const Critic& critic, const Tensor& x);

// The WGAN-GP penalty on interpolates of real and fake (same shape (B, ...)); t drawn from gen.
Tensor gradient_penalty(const Critic& critic, const Tensor& real, const Tensor& fake, Generator* gen);

// The R1 penalty at the real examples.
Tensor r1_penalty(const Critic& critic, const Tensor& real);

}  // namespace dgm::models::gan
