// Seminar 8's "heuristic diffusion" (denoising_model.ipynb): a BasicUNet (basic_unet.h) trained to undo a uniform
// corruption of MNIST digits in [0, 1], then used as an iterative sampler.
//
//   corruption:  x_a = (1 - a) x + a u,   u ~ U[0, 1] per pixel, a ~ U[0, 1] per image
//   loss:        MSE(net(x_a), x)                                      (mean over pixels and images)
//   sampling:    x_0 ~ U[0, 1]; for i = 0..n-1: x0_hat = net(x), m = 1 / (n - i), x <- (1 - m) x + m x0_hat
//
// (n = 10 steps; the last step, m = 1, returns the prediction itself; images 1x28x28). The start is the corruption
// at a = 1, pure uniform noise, the network's input at the end of its training range; COURSE.md's summary says
// randn, but N(0, 1) pixels (half of them negative) lie outside what the network saw, and its samples came out
// black (measured). The model predicts the clean image, not a score: there is no noise level and no theory behind
// the mixing rule, which is why the seminar calls it heuristic and goes on to DDPM. sample() returns images clamped
// to [0, 1].
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "models/model.h"
#include "models/score/basic_unet.h"

namespace dgm::models::score {

class HeuristicDenoiser : public GenerativeModel {
 public:
  // (c1, c2): BasicUNet's widths; num_steps: the sampler's default.
  explicit HeuristicDenoiser(int64_t c1 = 32, int64_t c2 = 64, int64_t num_steps = 10);
  std::string name() const override { return "HeuristicDenoiser"; }

  // x_a = (1 - a) x + a u per image, amount a (B) in [0, 1], u ~ U[0, 1] from gen.
  static Tensor corrupt(const Tensor& x, const Tensor& amount, Generator* gen = nullptr);
  // {"loss": MSE(net(corrupt(x, a)), x)}, a ~ U[0, 1] per image.
  Losses loss(const Batch& batch) override;
  // The iterative sampler from U[0, 1] with options.steps (0: num_steps) steps, clamped to [0, 1].
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }
  // The same, calling on_step(i, x) on the start (i = 0) and after each step i = 1..steps.
  Tensor sample_with_trajectory(int64_t n, int64_t steps, Generator* gen,
                                const std::function<void(int64_t, const Tensor&)>& on_step);
  // samples.png and trajectory.png (8 samples along the steps).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  std::shared_ptr<BasicUNet> net;
  const int64_t num_steps;
};

}  // namespace dgm::models::score
