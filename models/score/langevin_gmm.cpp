#include "models/score/langevin_gmm.h"

#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/score/langevin.h"
#include "nn/io/quiver.h"
#include "nn/io/scatter.h"
#include "nn/io/trajectory.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::score {

namespace {

void check_config(const LangevinGMMConfig& c) {
  DGM_CHECK(c.num_steps >= 1 && c.eta > 0 && c.init_range > 0 && c.metric_samples >= 1,
            "LangevinGMM: expected num_steps >= 1, eta > 0, init_range > 0 and metric_samples >= 1, got ", c.num_steps,
            ", ", c.eta, ", ", c.init_range, ", ", c.metric_samples);
}

}  // namespace

LangevinGMM::LangevinGMM(LangevinGMMConfig c) : config((check_config(c), c)) {}

double LangevinGMM::positive_mode_weight(const Tensor& points) {
  DGM_CHECK(points.dim() == 2 && points.size(1) == 2, "LangevinGMM::positive_mode_weight: expected points (N,2), got ",
            shape_str(points.shape()));
  return (points.select(1, 0) + points.select(1, 1)).gt(0.0).to(kFloat64).mean().item();
}

Tensor LangevinGMM::chains(int64_t n, int64_t steps, Generator* gen,
                           const std::function<void(int64_t, const Tensor&)>& on_step) {
  DGM_CHECK(n >= 1 && steps >= 0, "LangevinGMM::sample: expected n >= 1 and steps >= 0, got ", n, ", ", steps);
  // x_0 ~ U[-r, r]^2
  Tensor x0 = (rand({n, 2}, gen) * 2.0 - 1.0) * config.init_range;
  return langevin_dynamics([this](const Tensor& x) { return mixture.score(x); }, x0, steps, config.eta, gen, on_step);
}

Tensor LangevinGMM::sample(int64_t n, const SampleOptions& options) {
  return chains(n, options.steps > 0 ? options.steps : config.num_steps, options.gen, {});
}

Losses LangevinGMM::loss(const Batch& batch) {
  DGM_CHECK(batch.x.dim() == 2 && batch.x.size(1) == 2, "LangevinGMM::loss: expected points (B,2), got ",
            shape_str(batch.x.shape()));
  NoGradGuard no_grad;
  Losses out{{"nll", -mixture.log_prob(batch.x.to(kFloat64)).mean()}};
  out["mode_weight"] = scalar_tensor(positive_mode_weight(sample(config.metric_samples)));
  out["true_mode_weight"] = scalar_tensor(mixture.probs()[1]);
  return out;
}

Losses LangevinGMM::train_step(const Batch& batch, train::Optimizers&) {
  DGM_CHECK(batch.x.dim() == 2 && batch.x.size(1) == 2, "LangevinGMM::train_step: expected points (B,2), got ",
            shape_str(batch.x.shape()));
  NoGradGuard no_grad;
  return {{"nll", -mixture.log_prob(batch.x.to(kFloat64)).mean()}};
}

void LangevinGMM::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  const std::vector<int64_t> keep{0, 10, 100, 300, 1000};
  std::vector<Tensor> frames;
  std::vector<std::string> captions;
  Tensor samples = chains(n_samples, config.num_steps, gen, [&](int64_t k, const Tensor& x) {
    for (int64_t s : keep)
      if (s == k) {
        frames.push_back(x);
        captions.push_back("step " + std::to_string(k));
      }
  });
  const double w = positive_mode_weight(samples);
  nn::io::save_scatter_panels(
      dir + "/samples.png",
      {{"data (test)", test_batch.x}, {"samples: +(5,5) weight " + std::to_string(w).substr(0, 4) + " (0.9)", samples}},
      name());
  nn::io::save_quiver_panels(
      dir + "/score.png",
      {{"true score grad log p(x)", [this](const Tensor& x) { return mixture.score(x); }, test_batch.x}}, -9, 9, -9, 9);
  nn::io::save_trajectory(dir + "/trajectory.png", frames, captions);
}

}  // namespace dgm::models::score
