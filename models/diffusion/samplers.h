// Samplers of a trained noise predictor eps_theta(x_t, t) (lecture 8, seminar 9), on the schedule of
// diffusion_schedule.h. Every loop runs without a graph and calls on_step(t, x) after each step (x is then
// x_{t-1}; t = 0 gives the finished sample), which is how the trajectory pictures are drawn.
//
//   DDPM (ancestral):  x_{t-1} = mu~_t(x_t, x0(x_t, eps)) + sqrt(beta~_t) z,   t = T-1, ..., 0
//   DDIM (Song et al. 2021) on a descending subset tau_S > ... > tau_1 of the timesteps, s = the next one (abar_s = 1
//   after the last):
//     x0^     = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)     (clamped into clip_range when set, and then
//               eps recomputed from it: eps = (x_t - sqrt(abar_t) x0^) / sqrt(1 - abar_t))
//     sigma_t = eta sqrt((1 - abar_s) / (1 - abar_t)) sqrt(1 - abar_t / abar_s)
//     x_s     = sqrt(abar_s) x0^ + sqrt(1 - abar_s - sigma_t^2) eps + sigma_t z
//   eta = 0 is deterministic (an ODE sampler); eta = 1 on every timestep has DDPM's variance beta~_t.
#pragma once
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "models/diffusion/diffusion_schedule.h"

namespace dgm::models::diffusion {

// eps_theta(x_t, t) with t (B) int64, the same timestep for every example of a step.
using EpsFn = std::function<Tensor(const Tensor& x_t, const Tensor& t)>;
// Called after each step with the timestep just taken and the new x.
using StepCallback = std::function<void(int64_t t, const Tensor& x)>;

// Ancestral DDPM sampling from x_T over t = T-1, ..., 0.
Tensor ddpm_sample_loop(const ReverseDiffusion& reverse, const EpsFn& eps, Tensor x_T, Generator* gen = nullptr,
                        const StepCallback& on_step = {});

// `steps` timesteps of [0, T) evenly spaced, rounded, T-1 and 0 included, in descending order (steps in [1, T]).
std::vector<int64_t> strided_timesteps(int64_t num_timesteps, int64_t steps);

// DDIM sampling from x_T on `timesteps` (descending, in [0, T)), eta in [0, 1].
Tensor ddim_sample_loop(const BaseDiffusion& schedule, const EpsFn& eps, Tensor x_T,
                        const std::vector<int64_t>& timesteps, double eta,
                        std::optional<std::pair<double, double>> clip_range = std::nullopt, Generator* gen = nullptr,
                        const StepCallback& on_step = {});

}  // namespace dgm::models::diffusion
