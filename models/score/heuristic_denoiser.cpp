#include "models/score/heuristic_denoiser.h"

#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "nn/functional/loss.h"
#include "nn/io/image_grid.h"
#include "nn/io/trajectory.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace dgm::models::score {

HeuristicDenoiser::HeuristicDenoiser(int64_t c1, int64_t c2, int64_t steps) : num_steps(steps) {
  DGM_CHECK(steps >= 1, "HeuristicDenoiser: expected num_steps >= 1, got ", steps);
  net = register_module("net", std::make_shared<BasicUNet>(1, 1, c1, c2));
}

Tensor HeuristicDenoiser::corrupt(const Tensor& x, const Tensor& amount, Generator* gen) {
  DGM_CHECK(x.dim() == 4 && amount.dim() == 1 && amount.size(0) == x.size(0),
            "HeuristicDenoiser::corrupt: expected images (B,C,H,W) and amounts (B), got ", shape_str(x.shape()),
            " and ", shape_str(amount.shape()));
  // x_a = (1 - a) x + a u, u ~ U[0, 1]
  Tensor a = amount.to(x.dtype()).reshape({-1, 1, 1, 1});
  return x * (1.0 - a) + rand_like(x, gen) * a;
}

Losses HeuristicDenoiser::loss(const Batch& batch) {
  DGM_CHECK(batch.x.dim() == 4 && batch.x.size(1) == 1, "HeuristicDenoiser::loss: expected images (B,1,H,W), got ",
            shape_str(batch.x.shape()));
  Tensor amount = rand({batch.size()}, TensorOptions().dtype(batch.x.dtype()).device(batch.x.device()));
  // MSE between the prediction from the corrupted image and the clean image
  return {{"loss", nn::functional::mse_loss(net->forward(corrupt(batch.x, amount)), batch.x)}};
}

Tensor HeuristicDenoiser::sample_with_trajectory(int64_t n, int64_t steps, Generator* gen,
                                                 const std::function<void(int64_t, const Tensor&)>& on_step) {
  DGM_CHECK(n >= 1 && steps >= 1, "HeuristicDenoiser::sample: expected n >= 1 and steps >= 1, got ", n, ", ", steps);
  NoGradGuard no_grad;
  const TensorOptions on = TensorOptions().device(net->parameters().front().device());
  // x_0 ~ U[0, 1]: the corruption at a = 1, the input the network was trained on at the start
  Tensor x = rand({n, 1, 28, 28}, on, gen);
  if (on_step) on_step(0, x);
  for (int64_t i = 0; i < steps; ++i) {
    // x <- (1 - m) x + m net(x), m = 1 / (steps - i)
    const double m = 1.0 / static_cast<double>(steps - i);
    x = x * (1 - m) + net->forward(x) * m;
    if (on_step) on_step(i + 1, x);
  }
  return x.clamp(0.0, 1.0);
}

Tensor HeuristicDenoiser::sample(int64_t n, const SampleOptions& options) {
  return sample_with_trajectory(n, options.steps > 0 ? options.steps : num_steps, options.gen, {});
}

void HeuristicDenoiser::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                      Generator* gen) {
  std::vector<Tensor> frames;
  std::vector<std::string> captions;
  Tensor samples = sample_with_trajectory(n_samples, num_steps, gen, [&](int64_t i, const Tensor& x) {
    frames.push_back(x.narrow(0, 0, std::min<int64_t>(8, x.size(0))));
    captions.push_back(std::to_string(i));
  });
  nn::io::save_image_grid(dir + "/samples.png", samples);
  nn::io::save_trajectory(dir + "/trajectory.png", frames, captions, std::make_pair(0.0, 1.0));
  (void)test_batch;
}

}  // namespace dgm::models::score
