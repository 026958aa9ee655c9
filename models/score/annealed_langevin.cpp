#include "models/score/annealed_langevin.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/factories.h"

namespace dgm::models::score {

Tensor annealed_langevin_dynamics(const LevelScoreFn& score, const Tensor& x0, const std::vector<double>& sigmas,
                                  int64_t num_steps, double eps, Generator* gen, const LevelCallback& on_level) {
  DGM_CHECK(x0.defined() && x0.dim() >= 1 && x0.size(0) > 0,
            "annealed_langevin_dynamics: expected points (n, ...), got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("an undefined tensor"));
  DGM_CHECK(!sigmas.empty(), "annealed_langevin_dynamics: expected at least one noise level");
  for (size_t i = 0; i < sigmas.size(); ++i)
    DGM_CHECK(sigmas[i] > 0 && (i == 0 || sigmas[i] < sigmas[i - 1]),
              "annealed_langevin_dynamics: sigmas must be positive and strictly descending, got sigma_", i, " = ",
              sigmas[i]);
  DGM_CHECK(num_steps > 0 && eps > 0 && std::isfinite(eps),
            "annealed_langevin_dynamics: expected num_steps > 0 and a finite eps > 0, got ", num_steps, " and ", eps);
  NoGradGuard no_grad;
  // BEGIN SOLUTION hw4.4
  const int64_t n = x0.size(0);
  const double sigma_T = sigmas.back();
  Tensor x = x0.detach();
  for (size_t i = 0; i < sigmas.size(); ++i) {
    // eta_i = eps sigma_i^2 / sigma_T^2
    const double eta = eps * sigmas[i] * sigmas[i] / (sigma_T * sigma_T);
    const Tensor level = full({n}, static_cast<double>(i), TensorOptions(kInt64).device(x.device()));
    for (int64_t k = 0; k < num_steps; ++k) {
      // x <- x + eta/2 s(x, sigma_i) + sqrt(eta) z
      x = x + score(x, level) * (eta / 2) + randn_like(x, gen) * std::sqrt(eta);
    }
    if (on_level) on_level(static_cast<int64_t>(i), x);
  }
  return x;
  // END SOLUTION
}

}  // namespace dgm::models::score
