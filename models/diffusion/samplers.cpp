#include "models/diffusion/samplers.h"

#include <cmath>
#include <string>

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

namespace {

Tensor timestep_batch(int64_t t, const Tensor& x) {
  return full({x.size(0)}, static_cast<double>(t), TensorOptions().dtype(kInt64).device(x.device()));
}

Tensor checked_eps(const EpsFn& eps, const Tensor& x, int64_t t, const char* who) {
  Tensor e = eps(x, timestep_batch(t, x));
  DGM_CHECK(e.defined() && e.shape() == x.shape(), who, ": the noise predictor returned ",
            e.defined() ? shape_str(e.shape()) : std::string("nothing"), " for x_t ", shape_str(x.shape()));
  return e;
}

}  // namespace

Tensor ddpm_sample_loop(const ReverseDiffusion& reverse, const EpsFn& eps, Tensor x, Generator* gen,
                        const StepCallback& on_step) {
  DGM_CHECK(x.defined() && x.dim() >= 1, "ddpm_sample_loop: expected x_T (B, ...)");
  NoGradGuard no_grad;
  for (int64_t t = reverse.num_timesteps - 1; t >= 0; --t) {
    const Tensor e = checked_eps(eps, x, t, "ddpm_sample_loop");
    x = reverse.get_samples(x, e, timestep_batch(t, x), gen);
    if (on_step) on_step(t, x);
  }
  return x;
}

std::vector<int64_t> strided_timesteps(int64_t num_timesteps, int64_t steps) {
  DGM_CHECK(steps >= 1 && steps <= num_timesteps, "strided_timesteps: steps must be in [1, ", num_timesteps,
            "] (the number of timesteps), got ", steps);
  std::vector<int64_t> out;
  if (steps == 1) return {num_timesteps - 1};
  for (int64_t i = steps - 1; i >= 0; --i)
    out.push_back(static_cast<int64_t>(std::llround(static_cast<double>(i) * static_cast<double>(num_timesteps - 1) /
                                                    static_cast<double>(steps - 1))));
  return out;
}

Tensor ddim_sample_loop(const BaseDiffusion& schedule, const EpsFn& eps, Tensor x,
                        const std::vector<int64_t>& timesteps, double eta,
                        std::optional<std::pair<double, double>> clip_range, Generator* gen,
                        const StepCallback& on_step) {
  DGM_CHECK(x.defined() && x.dim() >= 1, "ddim_sample_loop: expected x_T (B, ...)");
  DGM_CHECK(eta >= 0 && eta <= 1, "ddim_sample_loop: eta must be in [0, 1], got ", eta);
  DGM_CHECK(!timesteps.empty(), "ddim_sample_loop: no timesteps");
  for (size_t i = 0; i < timesteps.size(); ++i) {
    DGM_CHECK(timesteps[i] >= 0 && timesteps[i] < schedule.num_timesteps, "ddim_sample_loop: timestep ", timesteps[i],
              " is outside [0, ", schedule.num_timesteps, ")");
    DGM_CHECK(i == 0 || timesteps[i] < timesteps[i - 1],
              "ddim_sample_loop: timesteps must be strictly descending, got ", timesteps[i - 1], " then ",
              timesteps[i]);
  }
  NoGradGuard no_grad;
  const Tensor abar_cpu = schedule.alphas_cumprod.to(kCPU);
  const double* abar_all = abar_cpu.data_ptr<double>();
  for (size_t i = 0; i < timesteps.size(); ++i) {
    const int64_t t = timesteps[i];
    const double abar = abar_all[t];
    const double abar_s = i + 1 < timesteps.size() ? abar_all[timesteps[i + 1]] : 1.0;
    Tensor e = checked_eps(eps, x, t, "ddim_sample_loop");
    // x0^ = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
    Tensor x0 = (x - std::sqrt(1 - abar) * e) / std::sqrt(abar);
    if (clip_range) {
      x0 = x0.clamp(clip_range->first, clip_range->second);
      e = (x - std::sqrt(abar) * x0) / std::sqrt(1 - abar);
    }
    // sigma_t = eta sqrt((1 - abar_s) / (1 - abar_t)) sqrt(1 - abar_t / abar_s)
    const double sigma = eta * std::sqrt((1 - abar_s) / (1 - abar)) * std::sqrt(1 - abar / abar_s);
    const double dir = std::sqrt(std::max(1 - abar_s - sigma * sigma, 0.0));
    // x_s = sqrt(abar_s) x0^ + sqrt(1 - abar_s - sigma^2) eps + sigma z
    x = std::sqrt(abar_s) * x0 + dir * e;
    if (sigma > 0) x = x + sigma * randn_like(x, gen);
    if (on_step) on_step(t, x);
  }
  return x;
}

}  // namespace dgm::models::diffusion
