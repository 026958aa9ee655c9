#include "models/score/langevin.h"

#include <cmath>

#include "tensor/error.h"

namespace dgm::models::score {

Tensor langevin_dynamics(const ScoreFn& score_fn, const Tensor& x0, int64_t num_steps, double eta, Generator* gen,
                         const LangevinStepFn& on_step) {
  DGM_CHECK(static_cast<bool>(score_fn), "langevin_dynamics: expected a score function, got none");
  DGM_CHECK(x0.defined() && x0.dim() >= 1, "langevin_dynamics: expected x0 with a batch dimension, got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("an undefined tensor"));
  DGM_CHECK(num_steps >= 0, "langevin_dynamics: expected num_steps >= 0, got ", num_steps);
  DGM_CHECK(eta > 0 && std::isfinite(eta), "langevin_dynamics: expected a step size eta > 0, got ", eta);
  Tensor x = x0.detach();
  if (on_step) on_step(0, x);
  const double noise_scale = std::sqrt(eta);
  for (int64_t k = 1; k <= num_steps; ++k) {
    Tensor s = score_fn(x).detach();
    DGM_CHECK(s.shape() == x.shape(), "langevin_dynamics: the score must have x's shape ", shape_str(x.shape()),
              ", got ", shape_str(s.shape()));
    // x <- x + eta/2 s(x) + sqrt(eta) z
    x = x + s * (eta / 2) + randn_like(x, gen) * noise_scale;
    if (on_step) on_step(k, x);
  }
  return x;
}

}  // namespace dgm::models::score
