// NoiseConditionedScoreNetwork::save_pictures: one annealed-Langevin run gives the samples and, level by level, the
// trajectory; 2-D models add the learned score per level (seminar 8's quiver plots) and plain Langevin's samples.
#include <cstdio>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/score/ncsn.h"
#include "nn/io/image_grid.h"
#include "nn/io/quiver.h"
#include "nn/io/scatter.h"
#include "nn/io/trajectory.h"
#include "tensor/factories.h"

namespace dgm::models::score {

namespace {

std::string sigma_caption(double sigma) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "sigma=%.3g", sigma);
  return buf;
}

}  // namespace

void NoiseConditionedScoreNetwork::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                                 Generator* gen) {
  NoGradGuard no_grad;
  const int64_t rows = std::min(config.trajectory_rows, n_samples);
  const Tensor x0 = initial_points(n_samples, gen);
  // images: the first rows samples at every level; points: every sample at every level
  std::vector<Tensor> frames{to_output(images() ? x0.narrow(0, 0, rows) : x0)};
  std::vector<std::string> captions{"start"};
  const Tensor x = annealed_langevin_dynamics(x0, config.num_steps, config.eps, gen, [&](int64_t i, const Tensor& xi) {
    frames.push_back(to_output(images() ? xi.narrow(0, 0, rows) : xi));
    captions.push_back(sigma_caption(sigmas[static_cast<size_t>(i)]));
  });
  if (images()) {
    nn::io::save_image_grid(dir + "/samples.png", to_output(x));
    nn::io::save_trajectory(dir + "/trajectory.png", frames, captions, std::make_pair(0.0, 1.0));
    return;
  }
  nn::io::save_trajectory(dir + "/trajectory.png", frames, captions);
  const Tensor plain = plain_langevin(n_samples, gen);
  nn::io::save_scatter_panels(dir + "/samples.png",
                              {{"data (test)", test_batch.x}, {"annealed Langevin", x}, {"plain Langevin", plain}},
                              name());
  if (input_shape != Shape{2}) return;
  // the learned score s(x, sigma_t) on a grid around the data, one panel per level
  const Tensor lo = test_batch.x.amin({0}), hi = test_batch.x.amax({0});
  const double pad = 1.0;
  std::vector<nn::io::QuiverPanel> panels;
  for (size_t i = 0; i < sigmas.size(); ++i) {
    const int64_t level = static_cast<int64_t>(i);
    panels.push_back(
        {sigma_caption(sigmas[i]),
         [this, level](const Tensor& p) {
           const Tensor on = p.to(device());
           return score_model
               ->forward(on, full({p.size(0)}, static_cast<double>(level), TensorOptions(kInt64).device(device())))
               .to(p.device());
         },
         test_batch.x});
  }
  nn::io::save_quiver_panels(dir + "/scores.png", panels, lo.select(0, 0).item() - pad, hi.select(0, 0).item() + pad,
                             lo.select(0, 1).item() - pad, hi.select(0, 1).item() + pad, 15, 240);
}

}  // namespace dgm::models::score
