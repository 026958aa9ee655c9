// Denoising score matching (lecture 7; homework 4 task 2, on 2-D moons). A network s_theta(y) learns the score of
// the data smoothed by Gaussian noise of scale sigma, q_sigma(y) = int p(x) N(y; x, sigma^2 I) dx, from
//
//   y = x + sigma eps, eps ~ N(0, I):   L(theta) = E_x E_eps || s_theta(x + sigma eps) - (-eps / sigma) ||^2
//
// (-eps / sigma = grad_y log N(y; x, sigma^2 I); the minimizer is grad log q_sigma). forward(x) gives the squared
// error per element, (B, *input_shape); loss() the course's {"total_loss": forward(x).mean(dim=0).sum()}: the sum
// over the dimensions of the per-element means over the batch. Samples by Langevin dynamics on the learned score,
//
//   x <- x + eta/2 s_theta(x) + sqrt(eta) z,   x_0 ~ U[-1, 1]^D,
//
// the course's sample(num_samples = 64, num_steps = 100, eta = 0.01).
#pragma once
#include <cstdint>
#include <memory>

#include "models/model.h"

namespace dgm::models::score {

class DenoisingScoreMatcher : public GenerativeModel {
 public:
  // score_model maps (B, *input_shape) to the same shape; sigma > 0.
  DenoisingScoreMatcher(std::shared_ptr<nn::Module> score_model, Shape input_shape, double sigma);
  std::string name() const override { return "DenoisingScoreMatcher"; }

  // (s_theta(x + sigma eps) + eps / sigma)^2 per element, (B, *input_shape), eps ~ N(0, I) from gen.
  Tensor forward(const Tensor& x) override { return forward(x, nullptr); }
  Tensor forward(const Tensor& x, Generator* gen);
  // {"total_loss": forward(x).mean(dim 0).sum()}
  Losses loss(const Batch& batch) override;

  // num_steps Langevin steps x <- x + eta/2 s_theta(x) + sqrt(eta) z from x, without a graph.
  Tensor langevin_dynamics(const Tensor& x, int64_t num_steps, double eta, Generator* gen = nullptr);
  // The course's sampler: x_0 ~ U[-1, 1]^(*input_shape), then langevin_dynamics(x_0, num_steps, eta).
  Tensor sample(int64_t num_samples, int64_t num_steps, double eta, Generator* gen = nullptr);
  // sample(n, options.steps or sample_steps, sample_eta, options.gen).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  std::vector<std::string> sample_options() const override { return {"steps"}; }
  // The learned score s_theta(x), without a graph.
  Tensor score(const Tensor& x);
  // samples.png (data beside samples) and, for 2-D data, score.png: quivers of the learned score and of the
  // score of the test points smoothed by sigma (smoothed_data_score.h: the best any DSM model can do on them).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  std::shared_ptr<nn::Module> score_model;
  const Shape input_shape;
  const double sigma;
  int64_t sample_steps = 100;  // sample(n, options) when options.steps is 0
  double sample_eta = 0.01;
};

}  // namespace dgm::models::score
