#include "models/sde/ddpm_sde_samplers.h"

#include "autograd/grad_mode.h"
#include "nn/io/scatter.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace dgm::models::sde {

namespace {

const Tensor& schedule_of(const std::shared_ptr<diffusion::DDPM>& ddpm) {
  DGM_CHECK(ddpm, "DdpmSdeSamplers: needs a trained DDPM");
  return ddpm->forward_diffusion.alphas_cumprod;
}

}  // namespace

DdpmSdeSamplers::DdpmSdeSamplers(std::shared_ptr<diffusion::DDPM> ddpm_, int64_t default_steps_)
    : ddpm(std::move(ddpm_)), sde(schedule_of(ddpm)), default_steps(default_steps_) {
  DGM_CHECK(default_steps >= 1, "DdpmSdeSamplers: default_steps must be >= 1, got ", default_steps);
  register_module("ddpm", ddpm);
}

// s(x, t) = -eps_theta(x, i(t)) / sqrt(1 - abar(t))
ScoreFunction DdpmSdeSamplers::score() {
  const EpsFunction eps = [this](const Tensor& x, const Tensor& t) { return ddpm->predict_eps(x, t); };
  return ddpm_score(eps, sde);
}

Losses DdpmSdeSamplers::train_step(const Batch& batch, train::Optimizers&) {
  NoGradGuard no_grad;
  return {{"loss", ddpm->simple_loss(batch.x)}};
}

Tensor DdpmSdeSamplers::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(options.steps >= 0, "DdpmSdeSamplers::sample: steps must be >= 0 (0: ", default_steps, "), got ",
            options.steps);
  DGM_CHECK(n >= 0, "DdpmSdeSamplers::sample: the number of samples must be >= 0, got ", n);
  NoGradGuard no_grad;
  const Tensor x_1 = randn({n, ddpm->model->input_dim}, options.gen);
  return reverse_sde_sample(sde, score(), x_1, options.steps > 0 ? options.steps : default_steps, sde.time_of(0),
                            options.gen);
}

Tensor DdpmSdeSamplers::sample_ode(int64_t n, int64_t steps, const ode::OdeOptions& options, Generator* gen) {
  NoGradGuard no_grad;
  const Tensor x_1 = randn({n, ddpm->model->input_dim}, gen);
  return probability_flow_sample(sde, score(), x_1, steps, options, sde.time_of(0));
}

Losses DdpmSdeSamplers::loss(const Batch& batch) {
  NoGradGuard no_grad;
  Losses out{{"loss", ddpm->simple_loss(batch.x)}};
  if (is_training()) return out;
  const int64_t n = batch.size();
  auto chamfer = [&](const Tensor& samples) { return diffusion::chamfer_distance(samples, batch.x); };
  SampleOptions o;
  out["chamfer_ddpm_" + std::to_string(ddpm->num_timesteps)] = chamfer(ddpm->sample(n, o));
  for (int64_t steps : ddim_steps) {
    o.steps = steps;
    out["chamfer_ddim_" + std::to_string(steps)] = chamfer(ddpm->sample(n, o));
  }
  for (int64_t steps : eval_steps.sde) {
    o.steps = steps;
    out["chamfer_sde_" + std::to_string(steps)] = chamfer(sample(n, o));
  }
  ode::OdeOptions euler, rk4;
  rk4.method = ode::OdeMethod::rk4;
  for (int64_t steps : eval_steps.ode_euler)
    out["chamfer_ode_euler_" + std::to_string(steps)] = chamfer(sample_ode(n, steps, euler));
  for (int64_t steps : eval_steps.ode_rk4)
    out["chamfer_ode_rk4_" + std::to_string(steps)] = chamfer(sample_ode(n, steps, rk4));
  return out;
}

void DdpmSdeSamplers::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                    Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  NoGradGuard no_grad;
  ode::OdeOptions rk4;
  rk4.method = ode::OdeMethod::rk4;
  nn::io::save_scatter_panels(
      dir + "/samplers.png",
      {{"data", test_batch.x},
       {"DDPM ancestral, " + std::to_string(ddpm->num_timesteps) + " steps", ddpm->sample(n_samples, gen)},
       {"reverse SDE, " + std::to_string(default_steps) + " EM steps", sample(n_samples, gen)},
       {"PF-ODE, rk4 25 steps", sample_ode(n_samples, 25, rk4, gen)}},
      sde.name() + " of the trained DDPM");
}

}  // namespace dgm::models::sde
