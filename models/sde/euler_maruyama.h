// sdeint_euler_maruyama: a sample path of the Ito SDE dy = f(t, y) dt + g(t, y) dW, y(t_0) = y0, at given times, by
// the Euler-Maruyama scheme (torchsde's `sdeint(..., method="euler")`, lecture 11):
//
//   y' = y + f(t, y) h + g(t, y) sqrt(|h|) eps,   eps ~ N(0, I) fresh per step,   h = t' - t
//
// times is strictly increasing or strictly decreasing. Decreasing times integrate in reverse time (h < 0): the drift
// moves by f h and the Brownian increment still has variance |h| (the reverse SDE of lecture 12,
// dx = (f - g^2 score) dt + g dw with dt < 0, is sampled this way). The diffusion g is diagonal noise: g(t, y)
// returns either y's shape (elementwise) or one element (a scalar g(t), broadcast over y).
// Weak order 1 (E[phi(y_N)] is off by O(h)), strong order 1/2 (order 1 for additive noise).
//
//   sdeint_euler_maruyama(f, g, y0, times, gen)   -> (len(times), *y0.shape), row k = y(times[k]); row 0 = y0
//   sdeint_euler_maruyama_end(f, g, y0, times, gen) -> y(times.back()) alone (no path kept)
//
// With options.step_size > 0 each interval of `times` is cut into ceil(|interval| / step_size) equal steps.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::sde {

// A coefficient of the SDE as a function of (t, y): the drift f (y's shape) or the diffusion g (y's shape, or one
// element for a scalar g(t)).
using SdeFunction = std::function<Tensor(double t, const Tensor& y)>;

struct SdeOptions {
  double step_size = 0;  // 0: one step per interval of `times`
};

// What the solver did: evaluations of f (= of g = steps taken).
struct SdeStats {
  int64_t nfe = 0;
  int64_t steps = 0;
};

// One Euler-Maruyama step from (t, y) to t + h (h of either sign): y + f h + g sqrt(|h|) eps.
Tensor euler_maruyama_step(const SdeFunction& drift, const SdeFunction& diffusion, double t, double h, const Tensor& y,
                           Generator* gen);

// (len(times), *y0.shape); random draws from gen (null: the default generator).
Tensor sdeint_euler_maruyama(const SdeFunction& drift, const SdeFunction& diffusion, const Tensor& y0,
                             const std::vector<double>& times, Generator* gen = nullptr, const SdeOptions& options = {},
                             SdeStats* stats = nullptr);

// y(times.back()), y0's shape.
Tensor sdeint_euler_maruyama_end(const SdeFunction& drift, const SdeFunction& diffusion, const Tensor& y0,
                                 const std::vector<double>& times, Generator* gen = nullptr,
                                 const SdeOptions& options = {}, SdeStats* stats = nullptr);

}  // namespace dgm::models::sde
