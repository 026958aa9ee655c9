#include "models/sde/score_sde_model.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "models/diffusion/ddpm.h"
#include "models/sde/score_sde_samplers.h"
#include "nn/functional/loss.h"
#include "nn/io/scatter.h"
#include "nn/io/trajectory.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::sde {

namespace {

// The times of the trajectory pictures, from the prior down to t_eps.
const std::vector<double> kPictureTimes{1.0, 0.5, 0.25, 0.1, 0.02};
constexpr int64_t kPictureOdeSteps = 25;

void check_points(const Tensor& x, int64_t dim, const char* who) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim, who, ": expected points (B, ", dim, "), got ",
            x.defined() ? shape_str(x.shape()) : "none");
}

std::string time_caption(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t=%g", t);
  return buf;
}

}  // namespace

ScoreSdeModel::ScoreSdeModel(std::shared_ptr<ScoreSde> sde_, std::shared_ptr<TimeScoreMLP> net_, double t_eps_,
                             int64_t default_steps_)
    : sde(std::move(sde_)), net(std::move(net_)), t_eps(t_eps_), default_steps(default_steps_) {
  DGM_CHECK(sde && net, "ScoreSdeModel: needs an SDE and a score network");
  DGM_CHECK(std::isfinite(t_eps) && t_eps > 0 && t_eps < 1, "ScoreSdeModel: t_eps must be in (0, 1), got ", t_eps);
  DGM_CHECK(default_steps >= 1, "ScoreSdeModel: default_steps must be >= 1, got ", default_steps);
  register_module("net", net);
}

// s_theta(x, t) = net(c_in x, t) / std(t)
Tensor ScoreSdeModel::score(const Tensor& x, const Tensor& t) {
  check_points(x, net->dim, "ScoreSdeModel::score");
  DGM_CHECK(t.defined() && t.dim() == 1 && t.size(0) == x.size(0), "ScoreSdeModel::score: expected one t per ",
            "example, t (", x.size(0), "), got ", t.defined() ? shape_str(t.shape()) : "none");
  const Tensor tt = t.to(x.dtype());
  const Tensor c = sde->mean_coeff(tt), s = sde->marginal_std(tt);
  const Tensor c_in = (c.square() + s.square()).rsqrt().unsqueeze(1);
  return net->forward(c_in * x, tt) / s.unsqueeze(1);
}

Tensor ScoreSdeModel::score(const Tensor& x, double t) {
  check_points(x, net->dim, "ScoreSdeModel::score");
  return score(x, full({x.size(0)}, t, TensorOptions().dtype(x.dtype()).device(x.device())));
}

Tensor ScoreSdeModel::dsm_loss(const Tensor& x0, const Tensor& t, const Tensor& z) {
  check_points(x0, net->dim, "ScoreSdeModel::dsm_loss");
  DGM_CHECK(z.defined() && z.shape() == x0.shape(), "ScoreSdeModel::dsm_loss: z ",
            z.defined() ? shape_str(z.shape()) : "none", " must have x0's shape ", shape_str(x0.shape()));
  const Tensor x_t = sde->perturb(x0, t.to(x0.dtype()), z);
  const Tensor tt = t.to(x0.dtype());
  const Tensor c = sde->mean_coeff(tt), s = sde->marginal_std(tt);
  const Tensor c_in = (c.square() + s.square()).rsqrt().unsqueeze(1);
  // |std s_theta(x_t, t) + z|^2 = |net(c_in x_t, t) + z|^2, averaged
  return (net->forward(c_in * x_t, tt) + z).square().mean();
}

Tensor ScoreSdeModel::dsm_loss(const Tensor& x0) {
  check_points(x0, net->dim, "ScoreSdeModel::dsm_loss");
  // t ~ U[t_eps, 1], z ~ N(0, I)
  const Tensor t = t_eps + (1 - t_eps) * rand({x0.size(0)}, TensorOptions().dtype(x0.dtype()).device(x0.device()));
  return dsm_loss(x0, t, randn_like(x0));
}

Tensor ScoreSdeModel::draw_prior(int64_t n, Generator* gen) {
  DGM_CHECK(n >= 0, "ScoreSdeModel::sample: the number of samples must be >= 0, got ", n);
  const Tensor w = parameters().front();
  return sde->prior_sample({n, net->dim}, TensorOptions().dtype(w.dtype()).device(w.device()), gen);
}

Tensor ScoreSdeModel::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(options.steps >= 0, "ScoreSdeModel::sample: steps must be >= 0 (0: ", default_steps, "), got ",
            options.steps);
  DGM_CHECK(!options.labels.defined() && options.guidance == 0,
            "ScoreSdeModel::sample: the model is unconditional: no labels or guidance");
  NoGradGuard no_grad;
  const Tensor x_1 = draw_prior(n, options.gen);
  const ScoreFunction s = [this](const Tensor& x, double t) { return score(x, t); };
  return reverse_sde_sample(*sde, s, x_1, options.steps > 0 ? options.steps : default_steps, t_eps, options.gen);
}

Tensor ScoreSdeModel::sample_ode(int64_t n, int64_t steps, const ode::OdeOptions& options, Generator* gen,
                                 ode::OdeStats* stats) {
  NoGradGuard no_grad;
  const Tensor x_1 = draw_prior(n, gen);
  const ScoreFunction s = [this](const Tensor& x, double t) { return score(x, t); };
  return probability_flow_sample(*sde, s, x_1, steps, options, t_eps, stats);
}

Losses ScoreSdeModel::loss(const Batch& batch) {
  Losses out{{"loss", dsm_loss(batch.x)}};
  if (!is_training()) {
    NoGradGuard no_grad;
    const int64_t n = batch.size();
    SampleOptions o;
    for (int64_t steps : eval_steps.sde) {
      o.steps = steps;
      out["chamfer_sde_" + std::to_string(steps)] = diffusion::chamfer_distance(sample(n, o), batch.x);
    }
    ode::OdeOptions euler, rk4;
    rk4.method = ode::OdeMethod::rk4;
    for (int64_t steps : eval_steps.ode_euler)
      out["chamfer_ode_euler_" + std::to_string(steps)] =
          diffusion::chamfer_distance(sample_ode(n, steps, euler), batch.x);
    for (int64_t steps : eval_steps.ode_rk4)
      out["chamfer_ode_rk4_" + std::to_string(steps)] = diffusion::chamfer_distance(sample_ode(n, steps, rk4), batch.x);
  }
  return out;
}

void ScoreSdeModel::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  NoGradGuard no_grad;
  const ScoreFunction s = [this](const Tensor& x, double t) { return score(x, t); };
  std::vector<double> times;  // decreasing, ending at t_eps
  for (double t : kPictureTimes)
    if (t > t_eps) times.push_back(t);
  times.push_back(t_eps);
  std::vector<std::string> captions;
  for (double t : times) captions.push_back(time_caption(t));
  // the reverse SDE: default_steps equal steps in all, the path kept at the picture times
  const Tensor prior = draw_prior(n_samples, gen);
  SdeOptions em;
  em.step_size = (1 - t_eps) / static_cast<double>(default_steps);
  const Tensor sde_path = sdeint_euler_maruyama(reverse_sde_drift(*sde, s), sde_diffusion(*sde), prior, times, gen, em);
  // the probability-flow ODE from the same prior draw, rk4
  ode::OdeOptions rk4;
  rk4.method = ode::OdeMethod::rk4;
  rk4.step_size = (1 - t_eps) / static_cast<double>(kPictureOdeSteps);
  const Tensor ode_path = ode::odeint(probability_flow(*sde, s), prior, times, rk4);
  std::vector<Tensor> sde_frames, ode_frames;
  for (int64_t k = 0; k < static_cast<int64_t>(times.size()); ++k) {
    sde_frames.push_back(sde_path.select(0, k));
    ode_frames.push_back(ode_path.select(0, k));
  }
  nn::io::save_trajectory(dir + "/trajectory_sde.png", sde_frames, captions);
  nn::io::save_trajectory(dir + "/trajectory_ode.png", ode_frames, captions);
  nn::io::save_scatter_panels(dir + "/samplers.png",
                              {{"data", test_batch.x},
                               {"reverse SDE, " + std::to_string(default_steps) + " EM steps", sde_frames.back()},
                               {"PF-ODE, rk4 " + std::to_string(kPictureOdeSteps) + " steps", ode_frames.back()}},
                              sde->name());
}

}  // namespace dgm::models::sde
