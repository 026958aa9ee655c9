// Langevin dynamics (lecture 7, seminar 8): samples of p(x) from its score s(x) = grad_x log p(x) alone,
//
//   x_{k+1} = x_k + eta/2 s(x_k) + sqrt(eta) z_k,   z_k ~ N(0, I),
//
// the course's form (homework 4's DSM `langevin_dynamics`; seminar 8's LangevinDynamics(score_fn, step_size) is the
// same update). For small eta and many steps x_K is distributed as p; between modes of p it mixes slowly.
//
//   Tensor x = langevin_dynamics([&](const Tensor& x) { return model.score(x); }, x0, 1000, 0.01, &gen);
//
// score_fn receives x detached (no graph) and may build its own graph (an analytic score by autograd w.r.t. x);
// whatever it returns is detached before the update, so no step records a graph. on_step(k, x) is called after
// step k = 1..num_steps (and with k = 0 on x0) for trajectory pictures. The annealed Langevin of the NCSN calls
// this once per noise level.
#pragma once
#include <cstdint>
#include <functional>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::score {

using ScoreFn = std::function<Tensor(const Tensor&)>;
using LangevinStepFn = std::function<void(int64_t, const Tensor&)>;

Tensor langevin_dynamics(const ScoreFn& score_fn, const Tensor& x0, int64_t num_steps, double eta,
                         Generator* gen = nullptr, const LangevinStepFn& on_step = {});

}  // namespace dgm::models::score
