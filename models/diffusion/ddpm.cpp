#include "models/diffusion/ddpm.h"

#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/diffusion/samplers.h"
#include "nn/functional/loss.h"
#include "nn/io/scatter.h"
#include "nn/io/trajectory.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::diffusion {

namespace {

// The notebook's timestamps of the forward-process and trajectory pictures, and the forward picture's T.
const std::vector<int64_t> kTimestamps{0, 2, 4, 10, 50};
constexpr int64_t kForwardPictureT = 100;

void check_points(const Tensor& x, int64_t dim, const char* who) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim, who, ": expected points (B, ", dim, "), got ",
            x.defined() ? shape_str(x.shape()) : "none");
}

}  // namespace

DDPM::DDPM(int64_t num_timesteps_, std::shared_ptr<ConditionalMLP> model_,
           std::optional<std::pair<double, double>> clip_range)
    : num_timesteps(num_timesteps_),
      model(std::move(model_)),
      forward_diffusion(num_timesteps_),
      reverse_(num_timesteps_, clip_range) {
  DGM_CHECK(model, "DDPM: no noise predictor");
  DGM_CHECK(model->num_embeds == num_timesteps, "DDPM: the noise predictor embeds ", model->num_embeds,
            " timesteps, but the diffusion has ", num_timesteps);
  register_module("model", model);
}

Tensor DDPM::predict_eps(const Tensor& x_t, const Tensor& t, const Tensor& y) {
  DGM_CHECK(!y.defined(), "DDPM::predict_eps: the 2-D DDPM is unconditional, got labels ", shape_str(y.shape()));
  return model->forward(x_t, t);
}

Tensor DDPM::draw_prior(int64_t n, Generator* gen) const {
  DGM_CHECK(n >= 0, "DDPM::sample: the number of samples must be >= 0, got ", n);
  return randn({n, model->input_dim}, TensorOptions().device(model->x_proj->weight.device()), gen);
}

Tensor DDPM::simple_loss(const Tensor& x0, const Tensor& t, const Tensor& noise) {
  check_points(x0, model->input_dim, "DDPM::simple_loss");
  DGM_CHECK(noise.defined() && noise.shape() == x0.shape(), "DDPM::simple_loss: noise ",
            noise.defined() ? shape_str(noise.shape()) : "none", " must have x0's shape ", shape_str(x0.shape()));
  // BEGIN SOLUTION hw5.3/noise_loss
  // L_simple = mean (eps - eps_theta(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t))^2
  const Tensor x_t = forward_diffusion.get_samples(x0, t, noise);
  return nn::functional::mse_loss(predict_eps(x_t, t), noise);
  // END SOLUTION
}

Tensor DDPM::simple_loss(const Tensor& x0) {
  check_points(x0, model->input_dim, "DDPM::simple_loss");
  // BEGIN SOLUTION hw5.3/loss
  // t ~ U{0, ..., T-1} per example, eps ~ N(0, I)
  const Tensor t = randint(0, num_timesteps, {x0.size(0)}, TensorOptions().dtype(kInt64).device(x0.device()));
  return simple_loss(x0, t, randn_like(x0));
  // END SOLUTION
}

Losses DDPM::loss(const Batch& batch) {
  Losses out{{"loss", simple_loss(batch.x)}};
  if (!is_training()) {
    NoGradGuard no_grad;
    out["chamfer"] = chamfer_distance(sample(batch.size()), batch.x);
  }
  return out;
}

Tensor DDPM::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(options.steps >= 0 && options.steps <= num_timesteps, "DDPM::sample: steps must be in [0, ", num_timesteps,
            "] (0: every timestep), got ", options.steps);
  DGM_CHECK(!options.labels.defined() && options.guidance == 0,
            "DDPM::sample: the 2-D DDPM is unconditional: no labels or guidance");
  NoGradGuard no_grad;
  Tensor x = draw_prior(n, options.gen);
  if (options.steps > 0 && options.steps < num_timesteps) {
    const EpsFn eps = [this](const Tensor& x_t, const Tensor& t) { return predict_eps(x_t, t); };
    return ddim_sample_loop(reverse_, eps, x, strided_timesteps(num_timesteps, options.steps), 0.0, reverse_.clip_range,
                            options.gen);
  }
  // BEGIN SOLUTION hw5.3/sample
  // x_{t-1} ~ q(x_{t-1} | x_t, x0(x_t, eps_theta(x_t, t))) for t = T-1, ..., 0
  for (int64_t t = num_timesteps - 1; t >= 0; --t) {
    const Tensor steps = full({n}, static_cast<double>(t), TensorOptions().dtype(kInt64).device(x.device()));
    x = reverse_.get_samples(x, predict_eps(x, steps), steps, options.gen);
  }
  return x;
  // END SOLUTION
}

void DDPM::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  NoGradGuard no_grad;
  const Tensor& x0 = test_batch.x;
  // the forward process q(x_t | x_0) of the test points at T = 100
  const ForwardDiffusion forward_100(kForwardPictureT);
  nn::io::ScatterPanels forward{{"data", x0}};
  for (int64_t t : kTimestamps) {
    const Tensor ts = full({x0.size(0)}, static_cast<double>(t), TensorOptions().dtype(kInt64).device(x0.device()));
    forward.emplace_back("t=" + std::to_string(t), forward_100.get_samples(x0, ts, {}, gen));
  }
  nn::io::save_scatter_panels(dir + "/forward.png", forward,
                              "forward process, T = " + std::to_string(kForwardPictureT));
  // the denoising trajectory: x_t is the input of step t, i.e. what step t + 1 returned (x_{T-1} is the prior)
  std::vector<Tensor> frames;
  std::vector<std::string> captions;
  std::vector<int64_t> shown;
  for (auto it = kTimestamps.rbegin(); it != kTimestamps.rend(); ++it)
    if (*it < num_timesteps) shown.push_back(*it);
  const Tensor prior = draw_prior(n_samples, gen);
  auto keep = [&](int64_t t, const Tensor& x) {
    for (int64_t s : shown)
      if (s == t) {
        frames.push_back(x.clone());
        captions.push_back("t=" + std::to_string(t));
      }
  };
  keep(num_timesteps - 1, prior);
  const EpsFn eps = [this](const Tensor& x_t, const Tensor& t) { return predict_eps(x_t, t); };
  const Tensor samples = ddpm_sample_loop(reverse_, eps, prior, gen, [&](int64_t t, const Tensor& x) {
    if (t > 0) keep(t - 1, x);
  });
  frames.push_back(samples);
  captions.push_back("samples");
  nn::io::save_trajectory(dir + "/trajectory.png", frames, captions);
}

// mean_i min_j |a_i - b_j| + mean_j min_i |a_i - b_j|
Tensor chamfer_distance(const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.defined() && b.defined() && a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1) && a.size(0) > 0 &&
                b.size(0) > 0,
            "chamfer_distance: expected non-empty point sets (n, D) and (m, D), got ",
            a.defined() ? shape_str(a.shape()) : "none", " and ", b.defined() ? shape_str(b.shape()) : "none");
  const Tensor d = (a.unsqueeze(1) - b.unsqueeze(0)).pow(2.0).sum({2}).sqrt();
  return std::get<0>(d.min(1)).mean() + std::get<0>(d.min(0)).mean();
}

}  // namespace dgm::models::diffusion
