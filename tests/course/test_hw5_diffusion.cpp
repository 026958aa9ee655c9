// Homework 5, the diffusion of task 2 (hw5.1, hw5.2): the notebook's unit tests with its values (T = 100, t = 5;
// forward with x0 = ones(2, 20): mean 0.9944681, variance 0.01103322, x_t 1.0995072 with unit noise; reverse with
// x_t = eps = ones(2, 20): x0 0.8999391, mean 0.9723116, variance 0.00222036), and checks that can fail
// elsewhere: other timesteps against the closed forms computed here in double, clipping, t = 0, noise statistics.
#include <cmath>
#include <vector>

#include "../helpers.h"
#include "../models/diffusion/cosine_schedule_reference.h"
#include "models/diffusion/diffusion_schedule.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;

namespace {

using dgm::test::abar_reference;

Tensor steps(int64_t b, int64_t t) { return full({b}, static_cast<double>(t), kInt64); }

}  // namespace

TEST_CASE("hw5.1: forward diffusion at T = 100, t = 5 gives the notebook's mean, variance and x_t", "[hw5][hw5.1]") {
  diffusion::ForwardDiffusion fwd(100);
  const Tensor x0 = ones({2, 20});
  auto [mean, variance] = fwd.get_mean_variance(x0, steps(2, 5));
  REQUIRE(mean.shape() == Shape{2, 20});
  REQUIRE(variance.shape() == Shape{2, 20});
  CHECK(mean.dtype() == kFloat32);
  CHECK(mean.min().item<float>() == Approx(0.9944681).epsilon(1e-6));
  CHECK(mean.max().item<float>() == Approx(0.9944681).epsilon(1e-6));
  CHECK(variance.max().item<float>() == Approx(0.01103322).epsilon(1e-6));
  const Tensor xt = fwd.get_samples(x0, steps(2, 5), ones({2, 20}));
  CHECK(xt.min().item<float>() == Approx(1.0995072).epsilon(1e-6));
  CHECK(xt.max().item<float>() == Approx(1.0995072).epsilon(1e-6));
}

TEST_CASE("hw5.1: forward diffusion matches the closed form at every timestep, per example", "[hw5][hw5.1]") {
  const std::vector<double> abar = abar_reference(50);
  diffusion::ForwardDiffusion fwd(50);
  const Tensor x0 = tensor(std::vector<float>{0.5f, -2.f, 1.5f}, {3, 1});
  const Tensor t = tensor(std::vector<int64_t>{0, 17, 49});
  auto [mean, variance] = fwd.get_mean_variance(x0, t);
  const std::vector<int> ts{0, 17, 49};
  const std::vector<double> xs{0.5, -2, 1.5};
  for (int i = 0; i < 3; ++i) {
    CHECK(mean.to_vector<float>()[i] == Approx(std::sqrt(abar[ts[i]]) * xs[i]).epsilon(1e-5));
    CHECK(variance.to_vector<float>()[i] == Approx(1 - abar[ts[i]]).epsilon(1e-5));
  }
  // x_t = sqrt(abar) x0 + sqrt(1 - abar) eps, with drawn noise: over many draws mean and variance come out
  Generator gen(7);
  const Tensor many = fwd.get_samples(full({20000, 1}, 1.0), steps(20000, 30), {}, &gen);
  const double m = many.mean().item<float>(), v = many.var().item<float>();
  // sampling error of the mean: sqrt(v / n) ~ 0.006; of the variance: v sqrt(2 / n) ~ 0.007
  CHECK(std::abs(m - std::sqrt(abar[30])) < 0.03);
  CHECK(std::abs(v - (1 - abar[30])) < 0.035);
}

TEST_CASE("hw5.2: reverse diffusion at T = 100, t = 5 gives the notebook's x0, mean and variance", "[hw5][hw5.2]") {
  diffusion::ReverseDiffusion rev(100);
  const Tensor xt = ones({2, 20}), eps = ones({2, 20});
  const Tensor x0 = rev.get_x0(xt, eps, steps(2, 5));
  CHECK(x0.min().item<float>() == Approx(0.8999391).epsilon(1e-6));
  CHECK(x0.max().item<float>() == Approx(0.8999391).epsilon(1e-6));
  auto [mean, variance] = rev.get_mean_variance(xt, eps, steps(2, 5));
  REQUIRE(mean.shape() == Shape{2, 20});
  CHECK(mean.min().item<float>() == Approx(0.9723116).epsilon(1e-6));
  CHECK(mean.max().item<float>() == Approx(0.9723116).epsilon(1e-6));
  CHECK(variance.max().item<float>() == Approx(0.00222036).epsilon(1e-5));
  // the schedule arrays stay float64 (T)
  CHECK(rev.variance.dtype() == kFloat64);
  CHECK(rev.x0_coef.shape() == Shape{100});
  CHECK(rev.xt_coef.shape() == Shape{100});
}

TEST_CASE("hw5.2: the posterior's coefficients, clipping, t = 0 and the samples' spread", "[hw5][hw5.2]") {
  const std::vector<double> abar = abar_reference(40);
  diffusion::ReverseDiffusion rev(40, std::make_pair(-1.0, 1.0));
  for (int t : {1, 20, 39}) {
    const double beta = 1 - abar[t] / abar[t - 1];
    CHECK(rev.variance.to_vector<double>()[t] == Approx((1 - abar[t - 1]) / (1 - abar[t]) * beta).epsilon(1e-10));
    CHECK(rev.x0_coef.to_vector<double>()[t] == Approx(std::sqrt(abar[t - 1]) * beta / (1 - abar[t])).epsilon(1e-10));
    CHECK(rev.xt_coef.to_vector<double>()[t] ==
          Approx(std::sqrt(1 - beta) * (1 - abar[t - 1]) / (1 - abar[t])).epsilon(1e-10));
  }
  // t = 0: abar_{-1} = 1, no variance, the mean is x0 itself
  CHECK(rev.variance.to_vector<double>()[0] == 0.0);
  CHECK(rev.x0_coef.to_vector<double>()[0] == Approx(1.0).epsilon(1e-12));
  // clip_range (-1, 1): an x0 far outside is clamped
  const Tensor xt = full({1, 3}, 5.0), eps = full({1, 3}, -1.0);
  CHECK(rev.get_x0(xt, eps, steps(1, 30)).max().item<float>() == 1.0f);
  // get_samples: mean + sqrt(variance) z
  Generator gen(3);
  const Tensor x = zeros({20000, 1}), e = zeros({20000, 1});
  const Tensor s = rev.get_samples(x, e, steps(20000, 20), &gen);
  CHECK(std::abs(s.mean().item<float>()) < 0.03 * std::sqrt(rev.variance.to_vector<double>()[20]) + 1e-6);
  CHECK(s.var().item<float>() == Approx(rev.variance.to_vector<double>()[20]).epsilon(0.05));
  CHECK(s.dtype() == kFloat32);
}
