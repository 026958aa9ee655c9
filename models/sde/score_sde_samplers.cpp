#include "models/sde/score_sde_samplers.h"

#include <cmath>

#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::sde {

namespace {

void check_sampler(const Tensor& x_1, int64_t num_steps, double t_end, const char* who) {
  DGM_CHECK(x_1.defined() && x_1.dim() >= 1, who, ": x_1 must be a batch (B, ...), got ",
            x_1.defined() ? shape_str(x_1.shape()) : "none");
  DGM_CHECK(num_steps >= 1, who, ": num_steps must be >= 1, got ", num_steps);
  // t_end = 0 is refused: the marginal std is 0 there and every score s(x, t) = -z / std(t) is infinite.
  DGM_CHECK(std::isfinite(t_end) && t_end > 0 && t_end < 1, who, ": t_end must be in (0, 1), got ", t_end);
}

Tensor checked_score(const ScoreFunction& score, const Tensor& x, double t) {
  Tensor s = score(x, t);
  DGM_CHECK(s.defined() && s.shape() == x.shape(), "score SDE sampler: the score s(x, t) must have x's shape ",
            shape_str(x.shape()), ", got ", s.defined() ? shape_str(s.shape()) : "none", " at t = ", t);
  return s;
}

}  // namespace

// f - g^2 s
SdeFunction reverse_sde_drift(const ScoreSde& sde, const ScoreFunction& score) {
  return [&sde, score](double t, const Tensor& x) {
    const double g = sde.diffusion(t);
    return sde.drift(x, t) - (g * g) * checked_score(score, x, t);
  };
}

SdeFunction sde_diffusion(const ScoreSde& sde) {
  return [&sde](double t, const Tensor& x) {
    return scalar_tensor(sde.diffusion(t), TensorOptions().dtype(x.dtype()).device(x.device()));
  };
}

// f - 1/2 g^2 s
ode::OdeFunction probability_flow(const ScoreSde& sde, const ScoreFunction& score) {
  return [&sde, score](double t, const Tensor& x) {
    const double g = sde.diffusion(t);
    return sde.drift(x, t) - (0.5 * g * g) * checked_score(score, x, t);
  };
}

Tensor reverse_sde_sample(const ScoreSde& sde, const ScoreFunction& score, const Tensor& x_1, int64_t num_steps,
                          double t_end, Generator* gen) {
  check_sampler(x_1, num_steps, t_end, "reverse_sde_sample");
  // x' = x + (f - g^2 s) h + g sqrt(|h|) z on the grid 1 = t_0 > t_1 > ... > t_n = t_end
  std::vector<double> times(num_steps + 1);
  for (int64_t k = 0; k <= num_steps; ++k)
    times[k] = 1 - (1 - t_end) * static_cast<double>(k) / static_cast<double>(num_steps);
  times[num_steps] = t_end;
  return sdeint_euler_maruyama_end(reverse_sde_drift(sde, score), sde_diffusion(sde), x_1, times, gen);
}

Tensor probability_flow_sample(const ScoreSde& sde, const ScoreFunction& score, const Tensor& x_1, int64_t num_steps,
                               const ode::OdeOptions& options, double t_end, ode::OdeStats* stats) {
  check_sampler(x_1, num_steps, t_end, "probability_flow_sample");
  ode::OdeOptions o = options;
  // fixed-step methods: num_steps equal steps on [t_end, 1] (odeint cuts the one interval by step_size)
  if (o.method != ode::OdeMethod::dopri5) o.step_size = (1 - t_end) / static_cast<double>(num_steps);
  return ode::odeint(probability_flow(sde, score), x_1, {1.0, t_end}, o, stats).select(0, 1);
}

}  // namespace dgm::models::sde
