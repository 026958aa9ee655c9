// MlpVAE (models/vae/mlp_vae.h): the loss keys against a hand computation for a tiny network with set weights and
// fixed noise, and the ELBO of the loss keys against -L_1 of the importance-weighted bound.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/vae/iwae.h"
#include "models/vae/mlp_vae.h"

using namespace dgm;
using namespace dgm::models;
using dgm::models::vae::MlpVAE;
using dgm::models::vae::MlpVAEOptions;

namespace {

// A 2 -> 1 latent VAE without hidden layers: encoder Linear(2, 2) = [[0.5, -0.25], [0.1, 0.2]] x + [0.1, -0.3]
// (mu, log_std), decoder Linear(1, 2) = [2, -1] z + [0.5, 0.25].
std::shared_ptr<MlpVAE> tiny(MlpVAEOptions::Likelihood likelihood, double beta) {
  MlpVAEOptions o;
  o.input_shape = {2};
  o.latent_dim = 1;
  o.encoder_hidden = {};
  o.decoder_hidden = {};
  o.likelihood = likelihood;
  o.beta = beta;
  auto m = std::make_shared<MlpVAE>(o);
  NoGradGuard no_grad;
  for (auto& [name, p] : m->named_parameters()) {
    if (name == "encoder.0.weight") p.copy_(tensor(std::vector<float>{0.5f, -0.25f, 0.1f, 0.2f}, {2, 2}));
    if (name == "encoder.0.bias") p.copy_(tensor(std::vector<float>{0.1f, -0.3f}, {2}));
    if (name == "decoder.0.weight") p.copy_(tensor(std::vector<float>{2.0f, -1.0f}, {2, 1}));
    if (name == "decoder.0.bias") p.copy_(tensor(std::vector<float>{0.5f, 0.25f}, {2}));
    if (name == "log_sigma") p.copy_(tensor(std::vector<float>{0.3f}, {1}));
  }
  return m;
}

struct Hand {
  double recon = 0, kl = 0;
};

// The same losses by hand for the examples x and noises eps, averaged over the examples.
Hand by_hand(const std::vector<std::array<double, 2>>& xs, const std::vector<double>& eps, bool bernoulli) {
  Hand h;
  for (size_t i = 0; i < xs.size(); ++i) {
    const auto [x0, x1] = xs[i];
    const double mu = 0.5 * x0 - 0.25 * x1 + 0.1, log_std = 0.1 * x0 + 0.2 * x1 - 0.3;
    const double z = mu + std::exp(log_std) * eps[i];
    const double d[2] = {2.0 * z + 0.5, -1.0 * z + 0.25};
    const double x[2] = {x0, x1};
    for (int j = 0; j < 2; ++j) {
      if (bernoulli)  // -log Bern(x; sigmoid(l)) = log(1 + e^l) - x l
        h.recon += std::log1p(std::exp(d[j])) - x[j] * d[j];
      else  // -log N(x; m, s^2), s = e^0.3
        h.recon += 0.5 * std::log(2 * M_PI) + 0.3 + (x[j] - d[j]) * (x[j] - d[j]) / (2 * std::exp(0.6));
    }
    // KL(N(mu, s^2) || N(0, 1)) = (mu^2 + s^2 - 1) / 2 - log s
    h.kl += 0.5 * (mu * mu + std::exp(2 * log_std) - 1) - log_std;
  }
  h.recon /= static_cast<double>(xs.size());
  h.kl /= static_cast<double>(xs.size());
  return h;
}

}  // namespace

TEST_CASE("MlpVAE: the loss keys equal a hand computation with fixed noise", "[vae][mlp_vae]") {
  const std::vector<std::array<double, 2>> xs = {{1.0, -2.0}, {0.5, 1.5}};
  const std::vector<double> eps = {0.5, -1.25};
  const Tensor x = tensor(std::vector<float>{1.0f, -2.0f, 0.5f, 1.5f}, {2, 2});
  const Tensor e = tensor(std::vector<float>{0.5f, -1.25f}, {2, 1});
  SECTION("Gaussian decoder, beta = 1") {
    auto m = tiny(MlpVAEOptions::Likelihood::kGaussian, 1.0);
    Losses l = m->elbo_losses(x, e);
    const Hand h = by_hand(xs, eps, false);
    CHECK(l.at("recon_loss").item() == Approx(h.recon).epsilon(1e-5));
    CHECK(l.at("kl_loss").item() == Approx(h.kl).epsilon(1e-5));
    CHECK(l.at("elbo_loss").item() == Approx(h.recon + h.kl).epsilon(1e-5));
    CHECK(l.count("neg_elbo") == 0);  // beta = 1: elbo_loss is the negative ELBO
  }
  SECTION("Bernoulli decoder (x in {0, 1}), beta = 2.5: elbo_loss = recon + 2.5 kl, neg_elbo = recon + kl") {
    const std::vector<std::array<double, 2>> bits = {{1.0, 0.0}, {0.0, 1.0}};
    auto m = tiny(MlpVAEOptions::Likelihood::kBernoulli, 2.5);
    Losses l = m->elbo_losses(tensor(std::vector<float>{1.0f, 0.0f, 0.0f, 1.0f}, {2, 2}), e);
    const Hand h = by_hand(bits, eps, true);
    CHECK(l.at("recon_loss").item() == Approx(h.recon).epsilon(1e-5));
    CHECK(l.at("kl_loss").item() == Approx(h.kl).epsilon(1e-5));
    CHECK(l.at("elbo_loss").item() == Approx(h.recon + 2.5 * h.kl).epsilon(1e-5));
    CHECK(l.at("neg_elbo").item() == Approx(h.recon + h.kl).epsilon(1e-5));
  }
  SECTION("bad input is an error naming MlpVAE") {
    auto m = tiny(MlpVAEOptions::Likelihood::kGaussian, 1.0);
    CHECK_THROWS_WITH(m->elbo_losses(zeros({2, 3}), e), Catch::Contains("MlpVAE"));
    CHECK_THROWS_WITH(m->elbo_losses(x, zeros({2, 2})), Catch::Contains("eps"));
  }
}

TEST_CASE("MlpVAE: the ELBO of the loss keys equals -L_1 of iwae_bound within Monte Carlo error", "[vae][mlp_vae]") {
  // Both are unbiased estimates of the same mean over x of E_q[log p(x, z) - log q(z|x)]: elbo_loss with the
  // closed-form KL, L_1 with log p(z) - log q(z|x) sampled. The tolerance is 4 standard errors of the difference,
  // the per-example spread of log w measured on the same points.
  manual_seed(5);
  MlpVAEOptions o;
  o.encoder_hidden = {16};
  o.decoder_hidden = {16};
  MlpVAE m(o);
  const int64_t n = 4000;
  Tensor x = randn({n, 2});
  NoGradGuard no_grad;
  const double elbo = -m.loss(x).at("elbo_loss").item();
  Generator gen(9);
  const double l1 = vae::iwae_bound(m, x, 1, &gen);
  Tensor log_w = m.log_importance_weights(x, 1, &gen).reshape({n}).to(kFloat64);
  const double sd = log_w.std().item();
  INFO("ELBO from the loss keys " << elbo << ", L_1 " << l1 << ", sd of log w " << sd);
  CHECK(std::abs(elbo - l1) < 4 * sd * std::sqrt(2.0 / n));
}
