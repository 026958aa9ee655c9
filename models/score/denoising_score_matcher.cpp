#include "models/score/denoising_score_matcher.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "models/score/smoothed_data_score.h"
#include "nn/functional/loss.h"
#include "nn/io/quiver.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace dgm::models::score {

namespace {

void check_input(const Tensor& x, const Shape& input_shape, const char* op) {
  Shape want{-1};
  want.insert(want.end(), input_shape.begin(), input_shape.end());
  bool ok = x.defined() && x.dim() == static_cast<int64_t>(input_shape.size()) + 1;
  for (size_t i = 0; ok && i < input_shape.size(); ++i) ok = x.size(static_cast<int64_t>(i) + 1) == input_shape[i];
  DGM_CHECK(ok, op, ": expected x of shape (B,", shape_str(input_shape).substr(1), ", got ",
            x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
}

}  // namespace

DenoisingScoreMatcher::DenoisingScoreMatcher(std::shared_ptr<nn::Module> model, Shape shape, double sigma_)
    : input_shape(std::move(shape)), sigma(sigma_) {
  DGM_CHECK(model != nullptr, "DenoisingScoreMatcher: expected a score model, got none");
  DGM_CHECK(sigma > 0 && std::isfinite(sigma), "DenoisingScoreMatcher: expected sigma > 0, got ", sigma);
  DGM_CHECK(!input_shape.empty(), "DenoisingScoreMatcher: expected a non-empty input shape");
  score_model = register_module("score_model", std::move(model));
}

Tensor DenoisingScoreMatcher::forward(const Tensor& x, Generator* gen) {
  check_input(x, input_shape, "DenoisingScoreMatcher::forward");
  // BEGIN SOLUTION hw4.1/forward
  // y = x + sigma eps; the target grad_y log N(y; x, sigma^2 I) = -eps / sigma; squared error per element
  Tensor eps = randn_like(x, gen);
  Tensor noisy = x + eps * sigma;
  Tensor s = score_model->forward(noisy);
  return nn::functional::mse_loss(s, -eps / sigma, "none");
  // END SOLUTION
}

Losses DenoisingScoreMatcher::loss(const Batch& batch) {
  // BEGIN SOLUTION hw4.1/loss
  // total_loss = sum over dimensions of the batch mean of the per-element squared error
  return {{"total_loss", forward(batch.x).mean({0}).sum()}};
  // END SOLUTION
}

Tensor DenoisingScoreMatcher::langevin_dynamics(const Tensor& x, int64_t num_steps, double eta, Generator* gen) {
  check_input(x, input_shape, "DenoisingScoreMatcher::langevin_dynamics");
  DGM_CHECK(num_steps >= 0 && eta > 0, "DenoisingScoreMatcher::langevin_dynamics: expected num_steps >= 0 and ",
            "eta > 0, got ", num_steps, ", ", eta);
  // BEGIN SOLUTION hw4.2
  // x <- x + eta/2 s_theta(x) + sqrt(eta) z, z ~ N(0, I), without a graph
  NoGradGuard no_grad;
  Tensor out = x.detach();
  for (int64_t k = 0; k < num_steps; ++k)
    out = out + score_model->forward(out) * (eta / 2) + randn_like(out, gen) * std::sqrt(eta);
  return out;
  // END SOLUTION
}

Tensor DenoisingScoreMatcher::sample(int64_t num_samples, int64_t num_steps, double eta, Generator* gen) {
  DGM_CHECK(num_samples >= 1, "DenoisingScoreMatcher::sample: expected num_samples >= 1, got ", num_samples);
  Shape shape{num_samples};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  const TensorOptions on = TensorOptions().device(score_model->parameters().front().device());
  // x_0 ~ U[-1, 1]
  Tensor x0 = rand(shape, on, gen) * 2.0 - 1.0;
  return langevin_dynamics(x0, num_steps, eta, gen);
}

Tensor DenoisingScoreMatcher::sample(int64_t n, const SampleOptions& options) {
  return sample(n, options.steps > 0 ? options.steps : sample_steps, sample_eta, options.gen);
}

Tensor DenoisingScoreMatcher::score(const Tensor& x) {
  NoGradGuard no_grad;
  return score_model->forward(x);
}

void DenoisingScoreMatcher::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                          Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  if (input_shape != Shape{2}) return;
  const Tensor data = test_batch.x;
  nn::io::save_quiver_panels(dir + "/score.png",
                             {{"learned score s_theta(x), sigma " + std::to_string(sigma).substr(0, 5),
                               [this](const Tensor& x) { return score(x); }, data},
                              {"score of the test points smoothed by sigma",
                               [this, data](const Tensor& x) { return smoothed_data_score(x, data, sigma); }, data}},
                             -1.5, 2.5, -1.0, 1.5);
}

}  // namespace dgm::models::score
