// The ResNet VAE beyond the homework's tests (tests/course/test_hw2_resnet_vae.cpp): its importance weights
// against the Gaussian log-densities written out here and, for K = 1, against the ELBO the loss reports;
// interpolation endpoints against the reconstructions; errors naming the operation and the shapes.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/vae/resnet_vae.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::vae;

namespace {

// log N(x; m, s^2) summed over the last dim, by hand: -D/2 log(2 pi) - sum log s - sum (x - m)^2 / (2 s^2).
Tensor log_normal(const Tensor& x, const Tensor& m, const Tensor& log_s) {
  const double d = static_cast<double>(x.size(-1));
  return -0.5 * d * std::log(2 * M_PI) - log_s.sum({-1}) - ((x - m).square() / (2.0 * exp(2.0 * log_s))).sum({-1});
}

}  // namespace

TEST_CASE("ResNet VAE importance weights are log N(x; mu_x(z), I) + log N(z; 0, I) - log q(z|x)", "[vae][resnet]") {
  manual_seed(31);
  ConvResNetVAE model({1, 8, 8}, 3, 1.0, {4, 6});
  model.eval();
  Tensor x = rand({2, 1, 8, 8}) * 2.0 - 1.0;
  Tensor eps = randn({5, 2, 3});
  Tensor log_w = model.log_importance_weights_with_noise(x, eps);
  REQUIRE(log_w.shape() == Shape{5, 2});
  auto [mu, log_std] = model.encoder->encode(x);
  for (int64_t k = 0; k < 5; ++k) {
    Tensor z = mu + exp(log_std) * eps.select(0, k);  // (B, n)
    Tensor mu_x = model.decoder->forward(z).flatten(1);
    Tensor want = log_normal(x.flatten(1), mu_x, zeros_like(mu_x)) + log_normal(z, zeros_like(z), zeros_like(z)) -
                  log_normal(z, mu, log_std);
    CHECK((log_w.select(0, k) - want).abs().max().item() < 1e-3);  // values of about -1e2, float32
  }
  CHECK(model.log_importance_weights(x, 7).shape() == Shape{7, 2});
}

TEST_CASE("ResNet VAE: the mean of K = 1 importance weights is the ELBO within its Monte Carlo error",
          "[vae][resnet]") {
  manual_seed(32);
  ConvResNetVAE model({1, 8, 8}, 3, 1.0, {4, 6});
  model.eval();  // running statistics: a batch of repeated images decodes each z as alone
  NoGradGuard no_grad;
  const int64_t b = 2, k = 3000;
  Tensor x = rand({b, 1, 8, 8}) * 2.0 - 1.0;
  Tensor eps = randn({k, b, 3});
  Tensor log_w = model.log_importance_weights_with_noise(x, eps);  // (K, B)
  // The loss on the same draws: -ELBO = E[recon] + KL with the KL in closed form; the weights estimate the KL
  // by E_q[log q - log p] instead. Their difference is the KL estimator's error only.
  Tensor xs = x.unsqueeze(0).expand({k, b, 1, 8, 8}).reshape({k * b, 1, 8, 8});
  const double neg_elbo = model.loss(xs, eps.reshape({k * b, 3})).at("elbo_loss").item<double>();
  Tensor w = log_w.flatten();
  const double mean = w.mean().item<double>();
  // The standard error of the mean of the K B weights (the recon part is shared, the KL part varies).
  const double se = std::sqrt(((w - mean).square().mean().item<double>()) / static_cast<double>(k * b));
  INFO("mean log w " << mean << ", -elbo_loss " << -neg_elbo << ", standard error " << se);
  CHECK(std::fabs(mean + neg_elbo) < 5 * se);
}

TEST_CASE("ResNet VAE interpolations start and end at the reconstructions, in [0, 1]", "[vae][resnet]") {
  manual_seed(33);
  ConvResNetVAE model({1, 8, 8}, 3, 1.0, {4, 6});
  model.eval();
  Tensor x1 = rand({3, 1, 8, 8}) * 2.0 - 1.0, x2 = rand({3, 1, 8, 8}) * 2.0 - 1.0;
  Tensor path = model.interpolate(x1, x2, 10).view({3, 10, 1, 8, 8});
  CHECK((path.select(1, 0) - model.reconstruct(x1)).abs().max().item() < 1e-5);
  CHECK((path.select(1, 9) - model.reconstruct(x2)).abs().max().item() < 1e-5);
  CHECK(path.min().item() >= 0);
  CHECK(path.max().item() <= 1);
  // The middle step decodes the midpoint of the two means (alpha = 5/9 at step 5 of linspace(0, 1, 10)).
  auto [m1, s1] = model.encoder->encode(x1);
  auto [m2, s2] = model.encoder->encode(x2);
  Tensor mid = clamp(model.decoder->forward(m1 * (4.0 / 9) + m2 * (5.0 / 9)), -1.0, 1.0) * 0.5 + 0.5;
  CHECK((path.select(1, 5) - mid).abs().max().item() < 1e-5);
}

TEST_CASE("ResNet VAE: bad shapes and options are errors naming the operation", "[vae][resnet]") {
  CHECK_THROWS_WITH(ConvResNetVAE({1, 28, 28}, 4, 1.0, {8, 16, 32}),
                    Catch::Contains("ConvResNetEncoder: H and W of (1,28,28) must be divisible by 2^3 = 8"));
  CHECK_THROWS_WITH(ResNetBlock(4, 4, 4), Catch::Contains("ResNetBlock: expected an odd kernel_size, got 4"));
  CHECK_THROWS_WITH(ConvResNetVAE({1, 8, 8}, 3, -1.0), Catch::Contains("beta must be a finite number >= 0"));
  ConvResNetVAE model({1, 8, 8}, 3, 1.0, {4});
  CHECK_THROWS_WITH(model.loss(zeros({2, 1, 8, 8}), zeros({2, 4})),
                    Catch::Contains("ConvResNetVAE: expected eps of shape (2, 3), got (2,4)"));
  CHECK_THROWS_WITH(model.encoder->encode(zeros({2, 3, 8, 8})),
                    Catch::Contains("ConvResNetEncoder: expected (B, 1, 8, 8), got (2,3,8,8)"));
}
