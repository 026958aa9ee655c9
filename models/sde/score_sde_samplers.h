// Sampling a score SDE (lecture 12) given a score function s(x, t) ~ grad_x log p_t(x), from x_1 ~ prior down to
// t_end (a small eps > 0, where the marginal is the data smoothed by std(eps); Song et al. stop at 1e-3 for VP, 1e-5
// for VE):
//
//   reverse SDE            dx = (f(x, t) - g(t)^2 s(x, t)) dt + g(t) dw̄,   dt < 0
//                          sampled by Euler-Maruyama (euler_maruyama.h) on num_steps equal steps from 1 to t_end:
//                          x' = x + (f - g^2 s) h + g sqrt(|h|) z,  h = -(1 - t_end) / num_steps
//   probability-flow ODE   dx/dt = f(x, t) - 1/2 g(t)^2 s(x, t)
//                          the same marginals p_t, deterministic given x_1; integrated from 1 to t_end by odeint
//                          (models/ode/odeint.h): euler / midpoint / rk4 on num_steps equal steps, or dopri5 with
//                          its own steps (num_steps unused).
//
// With the exact score of a Gaussian data set the marginals, and so both samplers' targets, are Gaussian in closed
// form (tests/models/sde/test_score_sde_samplers.cpp).
#pragma once
#include <functional>

#include "models/ode/odeint.h"
#include "models/sde/euler_maruyama.h"
#include "models/sde/score_sde.h"

namespace dgm::models::sde {

// s(x, t): x (B, ...), one t for the whole batch -> x's shape.
using ScoreFunction = std::function<Tensor(const Tensor& x, double t)>;

// The reverse SDE's coefficients: drift f - g^2 s (to be integrated with dt < 0) and diffusion g (one element).
// These functions keep a reference to `sde` (and a copy of `score`): the SDE must outlive them.
SdeFunction reverse_sde_drift(const ScoreSde& sde, const ScoreFunction& score);
SdeFunction sde_diffusion(const ScoreSde& sde);
// The probability-flow ODE's right-hand side f - 1/2 g^2 s.
ode::OdeFunction probability_flow(const ScoreSde& sde, const ScoreFunction& score);

// x(t_end) of the reverse SDE by Euler-Maruyama from x_1 in num_steps steps; draws from gen.
Tensor reverse_sde_sample(const ScoreSde& sde, const ScoreFunction& score, const Tensor& x_1, int64_t num_steps,
                          double t_end = 1e-3, Generator* gen = nullptr);

// x(t_end) of the probability-flow ODE from x_1: options.method with num_steps equal steps (fixed-step methods), or
// dopri5 with options' tolerances. stats (accumulated) counts the score evaluations.
Tensor probability_flow_sample(const ScoreSde& sde, const ScoreFunction& score, const Tensor& x_1, int64_t num_steps,
                               const ode::OdeOptions& options = {}, double t_end = 1e-3,
                               ode::OdeStats* stats = nullptr);

}  // namespace dgm::models::sde
