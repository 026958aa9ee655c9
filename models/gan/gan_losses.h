// The GAN losses of lecture 6 and seminar 6, each a function of the critic's raw outputs (logits or scores, (B)
// or (B,1)); every loss is a mean over the batch and is MINIMIZED by its player. D(x) = sigmoid(l(x)).
//
//   vanilla / NS-GAN discriminator (both):   -E log D(x) - E log(1 - D(G(z)))
//                                             = E softplus(-l_real) + E softplus(l_fake)
//   saturating generator (minimax):           E log(1 - D(G(z)))                = -E softplus(l_fake)
//   non-saturating generator (NS-GAN):       -E log D(G(z))                     =  E softplus(-l_fake)
//   WGAN critic:                              E f(G(z)) - E f(x)      (weight clipping or a gradient penalty beside)
//   WGAN generator:                          -E f(G(z))
//   hinge critic (SN-GAN):                    E relu(1 - l_real) + E relu(1 + l_fake)
//   hinge generator:                         -E l_fake
//
// f-GAN (Nowozin et al. 2016; lecture 6, homework 3 P2): for a convex f with f(1) = 0,
//   D_f(P || Q) >= sup_T E_P T(x) - E_Q f*(T(x)),   f*(t) = sup_u (u t - f(u)) the convex conjugate,
// with T = g_f(v), v the critic's raw output and g_f an output activation onto dom f*. The bound is tight at
// T*(x) = f'(p(x) / q(x)). Divergences here:
//   "kl"       f(u) = u log u                     g_f(v) = v                f*(t) = exp(t - 1)
//   "pearson"  f(u) = (u - 1)^2                   g_f(v) = v                f*(t) = t^2 / 4 + t
//   "gan"      f(u) = u log u - (u+1) log(u+1)    g_f(v) = -softplus(-v)    f*(t) = -log(1 - exp(t))   (HW3 P2:
//              with T = log D, the bound is E log D(x) + E log(1 - D(G(z))), the GAN objective)
// The critic minimizes -(E_P g_f(v_real) - E_Q f*(g_f(v_fake))); the generator minimizes -E_Q g_f(v_fake), the
// paper's alternative generator objective (section 3.2), which does not saturate.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace dgm::models::gan {

Tensor discriminator_loss(const Tensor& real_logits, const Tensor& fake_logits);
Tensor saturating_generator_loss(const Tensor& fake_logits);
Tensor nonsaturating_generator_loss(const Tensor& fake_logits);

Tensor wasserstein_critic_loss(const Tensor& real_scores, const Tensor& fake_scores);
Tensor wasserstein_generator_loss(const Tensor& fake_scores);

Tensor hinge_critic_loss(const Tensor& real_scores, const Tensor& fake_scores);
Tensor hinge_generator_loss(const Tensor& fake_scores);

// "kl", "pearson" or "gan" (a dgm::Error names the known ones otherwise).
void check_f_divergence(const std::string& divergence);
// g_f(v) and f*(t) of the table above.
Tensor f_output_activation(const std::string& divergence, const Tensor& v);
Tensor f_conjugate(const std::string& divergence, const Tensor& t);
Tensor fgan_critic_loss(const std::string& divergence, const Tensor& real_v, const Tensor& fake_v);
Tensor fgan_generator_loss(const std::string& divergence, const Tensor& fake_v);

}  // namespace dgm::models::gan
