#include "models/score/ncsn.h"

#include <cmath>
#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops/index_ops.h"
#include "tensor/factories.h"

namespace dgm::models::score {

std::vector<double> geometric_sigmas(double sigma_max, double sigma_min, int64_t L) {
  DGM_CHECK(sigma_max > sigma_min && sigma_min > 0 && L >= 2,
            "geometric_sigmas: expected sigma_max > sigma_min > 0 and L >= 2, got sigma_max ", sigma_max,
            ", sigma_min ", sigma_min, ", L ", L);
  std::vector<double> s(static_cast<size_t>(L));
  // sigma_i = exp(log max + i / (L - 1) (log min - log max))
  for (int64_t i = 0; i < L; ++i)
    s[static_cast<size_t>(i)] = std::exp(std::log(sigma_max) + static_cast<double>(i) / static_cast<double>(L - 1) *
                                                                   (std::log(sigma_min) - std::log(sigma_max)));
  return s;
}

NoiseConditionedScoreNetwork::NoiseConditionedScoreNetwork(std::shared_ptr<ConditionedModule> score_model_,
                                                           Shape input_shape_, std::vector<double> sigmas_,
                                                           NCSNConfig config_)
    : input_shape(std::move(input_shape_)), sigmas(std::move(sigmas_)), config(config_) {
  DGM_CHECK(score_model_, "NoiseConditionedScoreNetwork: score_model is null");
  DGM_CHECK(input_shape.size() == 1 || input_shape.size() == 3,
            "NoiseConditionedScoreNetwork: input_shape must be (D) points or (C, H, W) images, got ",
            shape_str(input_shape));
  for (int64_t d : input_shape)
    DGM_CHECK(d > 0, "NoiseConditionedScoreNetwork: input_shape must be positive, got ", shape_str(input_shape));
  DGM_CHECK(!sigmas.empty(), "NoiseConditionedScoreNetwork: expected at least one sigma");
  for (size_t i = 0; i < sigmas.size(); ++i)
    DGM_CHECK(sigmas[i] > 0 && (i == 0 || sigmas[i] < sigmas[i - 1]),
              "NoiseConditionedScoreNetwork: sigmas must be positive and sorted descending, got sigma_", i, " = ",
              sigmas[i]);
  DGM_CHECK(config.num_steps > 0 && config.eps > 0 && config.init_range > 0 && config.trajectory_rows > 0,
            "NoiseConditionedScoreNetwork: num_steps, eps, init_range and trajectory_rows must be positive, got ",
            config.num_steps, ", ", config.eps, ", ", config.init_range, ", ", config.trajectory_rows);
  DGM_CHECK(!config.mode_metrics || input_shape == Shape{2},
            "NoiseConditionedScoreNetwork: mode metrics need 2-D points, got input_shape ", shape_str(input_shape));
  score_model = register_module("score_model", std::move(score_model_));
  sigmas_tensor = register_buffer("sigmas", tensor(std::vector<float>(sigmas.begin(), sigmas.end())));
}

std::string NoiseConditionedScoreNetwork::extra_repr() const {
  std::ostringstream os;
  os << "input_shape=" << shape_str(input_shape) << ", levels=" << sigmas.size() << ", sigma_max=" << sigmas.front()
     << ", sigma_min=" << sigmas.back() << ", num_steps=" << config.num_steps << ", eps=" << config.eps;
  return os.str();
}

void NoiseConditionedScoreNetwork::check_input(const Tensor& x, const char* who) const {
  Shape expected{-1};
  expected.insert(expected.end(), input_shape.begin(), input_shape.end());
  bool ok = x.defined() && x.dim() == static_cast<int64_t>(expected.size()) && x.size(0) > 0;
  for (size_t i = 1; ok && i < expected.size(); ++i) ok = x.size(static_cast<int64_t>(i)) == expected[i];
  DGM_CHECK(ok, "NoiseConditionedScoreNetwork::", who, ": expected x (B, ", shape_str(input_shape), "), got ",
            x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
}

Tensor NoiseConditionedScoreNetwork::forward(const Tensor& x, Generator* gen) {
  check_input(x, "forward");
  // BEGIN SOLUTION hw4.3
  const int64_t B = x.size(0), T = static_cast<int64_t>(sigmas.size());
  const double sigma_T = sigmas.back();
  // eps ~ N(0, I); one level t ~ U{0..T-1} per example
  const Tensor eps = randn_like(x, gen);
  const Tensor t = randint(0, T, {B}, TensorOptions(kInt64).device(x.device()), gen);
  Shape per_example(static_cast<size_t>(x.dim()), 1);
  per_example[0] = B;
  const Tensor sigma = index_select(sigmas_tensor, 0, t).view(per_example);
  // x_t = x + sigma_t eps
  const Tensor x_t = x + sigma * eps;
  const Tensor s = score_model->forward(x_t, t);
  // grad log q(x_t | x) = -(x_t - x) / sigma_t^2 = -eps / sigma_t
  const Tensor target = -eps / sigma;
  // sigma_t^2 / sigma_T^2 (s - target)^2
  return sigma.square() / (sigma_T * sigma_T) * (s - target).square();
  // END SOLUTION
}

Losses NoiseConditionedScoreNetwork::loss(const Batch& batch) {
  const Tensor l = forward(batch.x);
  const double sigma_T = sigmas.back();
  // total_loss = E_x sum_elements l; normalized: mean of sigma_t^2 (s + eps/sigma_t)^2
  Losses out{{"total_loss", l.mean({0}).sum()}, {"normalized_loss", l.detach().mean() * (sigma_T * sigma_T)}};
  if (config.mode_metrics && !is_training()) {
    NoGradGuard no_grad;
    const auto plus_mode_share = [](const Tensor& p) {
      return (p.select(1, 0) + p.select(1, 1)).gt(0.0).to(kFloat64).mean();
    };
    out["mode_weight"] = plus_mode_share(sample(batch.size()));
    out["mode_weight_plain"] = plus_mode_share(plain_langevin(batch.size(), nullptr));
  }
  return out;
}

Tensor NoiseConditionedScoreNetwork::annealed_langevin_dynamics(const Tensor& x, int64_t num_steps, double eps,
                                                                Generator* gen, const LevelCallback& on_level) {
  check_input(x, "annealed_langevin_dynamics");
  const LevelScoreFn score = [this](const Tensor& xt, const Tensor& level) { return score_model->forward(xt, level); };
  return score::annealed_langevin_dynamics(score, x, sigmas, num_steps, eps, gen, on_level);
}

Tensor NoiseConditionedScoreNetwork::plain_langevin(int64_t n, Generator* gen) {
  const int64_t last = static_cast<int64_t>(sigmas.size()) - 1;
  // the smallest level's score, one run of T * num_steps steps of size eps
  const LevelScoreFn score = [this, last](const Tensor& xt, const Tensor& level) {
    return score_model->forward(xt, full_like(level, static_cast<double>(last)));
  };
  return score::annealed_langevin_dynamics(score, initial_points(n, gen), {sigmas.back()},
                                           config.num_steps * (last + 1), config.eps, gen);
}

Tensor NoiseConditionedScoreNetwork::initial_points(int64_t n, Generator* gen) const {
  DGM_CHECK(n > 0, "NoiseConditionedScoreNetwork: expected a positive number of samples, got ", n);
  Shape shape{n};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  return uniform(-config.init_range, config.init_range, shape, TensorOptions().device(device()), gen);
}

Tensor NoiseConditionedScoreNetwork::to_output(const Tensor& x) const {
  return images() ? (x.clamp(-1.0, 1.0) + 1.0) * 0.5 : x;
}

Tensor NoiseConditionedScoreNetwork::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(options.steps >= 0, "NoiseConditionedScoreNetwork::sample: steps must be >= 0, got ", options.steps);
  const int64_t steps = options.steps > 0 ? options.steps : config.num_steps;
  return to_output(annealed_langevin_dynamics(initial_points(n, options.gen), steps, config.eps, options.gen));
}

}  // namespace dgm::models::score
