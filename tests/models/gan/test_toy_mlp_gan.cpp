// The toy GAN model (models/gan/mlp_gan.h): its networks are seminar 6's, its train_step steps the critic every
// call and the generator every n_critic-th call, WGAN clips every critic weight, WGAN-GP reports its penalty,
// the 1-D noise is U[-0.5, 0.5], and bad options are refused.
#include "models/gan/mlp_gan.h"
#include "models/train/optimizers.h"
#include "nn/modules/linear.h"
#include "nn/modules/spectral_norm.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::gan;

namespace {

train::Optimizers optimizers_for(MLPGAN& model, const std::string& kind = "adam") {
  train::OptimizerSpec o;
  o.kind = kind;
  o.lr = 1e-3;
  return train::Optimizers(model.optimizer_groups(), {{"generator", o}, {"critic", o}}, "critic_loss");
}

int64_t count_params(const std::vector<Tensor>& ps) {
  int64_t n = 0;
  for (const Tensor& p : ps) n += p.numel();
  return n;
}

}  // namespace

TEST_CASE("MLPGAN has seminar 6's networks", "[gan][toy]") {
  MLPGAN ring(MLPGANConfig{});
  // generator 16 -> 32 -> 128 -> 128 -> 32 -> 2, weights and biases (hand sums)
  CHECK(count_params(ring.generator->parameters()) ==
        16 * 32 + 32 + 32 * 128 + 128 + 128 * 128 + 128 + 128 * 32 + 32 + 32 * 2 + 2);
  // critic 2 -> 64 -> 256 -> 256 -> 64 -> 1
  CHECK(count_params(ring.critic->parameters()) ==
        2 * 64 + 64 + 64 * 256 + 256 + 256 * 256 + 256 + 256 * 64 + 64 + 64 + 1);
  MLPGANConfig sn;
  sn.spectral_norm = true;
  MLPGAN sngan(sn);
  CHECK(sngan.critic->at<nn::SpectralNormLinear>(0)->in_features == 2);
  CHECK(sngan.critic->at<nn::SpectralNormLinear>(-1)->out_features == 1);
}

TEST_CASE("MLPGAN's train_step: critic every call, generator every n_critic-th call", "[gan][toy]") {
  manual_seed(1);
  MLPGANConfig c;
  c.loss = "wgan";
  c.n_critic = 5;
  c.generator_hidden = {8};
  c.critic_hidden = {8, 8};
  c.clip_value = 0.01;
  MLPGAN model(c);
  train::Optimizers opt = optimizers_for(model, "rmsprop");
  Batch batch(test::uniform_values({16, 2}, -1, 1, 4).to(kFloat32));
  for (int i = 1; i <= 7; ++i) {
    Losses l = model.train_step(batch, opt);
    CHECK(l.count("critic_loss") == 1);
    CHECK(l.count("generator_loss") == (i == 5 ? 1u : 0u));
  }
  CHECK(opt.steps("critic") == 7);
  CHECK(opt.steps("generator") == 1);
  CHECK(model.calls.item<int64_t>() == 7);
  // every critic parameter is in [-c, c] after the step (weight clipping), and some sit at the bounds
  int64_t at_bound = 0;
  for (const Tensor& p : model.critic->parameters())
    for (double v : p.to_vector<double>()) {
      CHECK(std::fabs(v) <= 0.01 + 1e-9);
      at_bound += std::fabs(std::fabs(v) - 0.01) < 1e-9;
    }
  CHECK(at_bound > 0);
}

TEST_CASE("MLPGAN's WGAN-GP step adds the gradient penalty, its 1-D noise is U[-0.5, 0.5]", "[gan][toy]") {
  manual_seed(2);
  MLPGANConfig c;
  c.loss = "wgan-gp";
  c.generator_hidden = {8};
  c.critic_hidden = {8};
  MLPGAN model(c);
  train::Optimizers opt = optimizers_for(model);
  Losses l = model.train_step(Batch(test::uniform_values({8, 2}, -1, 1, 4).to(kFloat32)), opt);
  REQUIRE(l.count("gradient_penalty") == 1);
  CHECK(l.at("gradient_penalty").item<double>() >= 0);

  // the 1-D generator with an identity-like map would show its noise; check the noise itself via a 1 -> 1
  // generator with no hidden layer, weight 1 and bias 0: samples = z
  MLPGANConfig one;
  one.data_dim = 1;
  one.noise_dim = 1;
  one.noise = "uniform";
  one.generator_hidden = {};
  one.critic_hidden = {4};
  MLPGAN m1(one);
  {
    NoGradGuard no_grad;
    m1.generator->at<nn::Linear>(0)->weight.fill_(1.0);
    m1.generator->at<nn::Linear>(0)->bias.fill_(0.0);
  }
  const std::vector<double> z = m1.sample(2000).to_vector<double>();
  double lo = 1, hi = -1, mean = 0;
  for (double v : z) lo = std::min(lo, v), hi = std::max(hi, v), mean += v / 2000;
  CHECK(lo >= -0.5);
  CHECK(hi <= 0.5);
  CHECK(lo < -0.49);
  CHECK(hi > 0.49);
  CHECK(std::fabs(mean) < 0.02);  // std of the mean: (1 / sqrt(12)) / sqrt(2000) = 0.0065
}

TEST_CASE("MLPGAN refuses unknown losses and bad sizes", "[gan][toy]") {
  MLPGANConfig c;
  c.loss = "lsgan";
  CHECK_THROWS_WITH(MLPGAN(c), Catch::Contains("MLPGAN: loss must be"));
  MLPGANConfig d;
  d.n_critic = 0;
  CHECK_THROWS_WITH(MLPGAN(d), Catch::Contains("n_critic"));
  MLPGANConfig e;
  e.data_dim = 1;
  e.ring_metrics = true;
  CHECK_THROWS_WITH(MLPGAN(e), Catch::Contains("ring metrics"));
  MLPGAN ok(MLPGANConfig{});
  CHECK_THROWS_WITH(ok.loss(Batch(zeros({4, 3}))), Catch::Contains("MLPGAN::loss: expected points (B,2)"));
}
