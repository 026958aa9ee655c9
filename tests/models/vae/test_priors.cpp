// The learned priors of models/vae: the VampPrior against a mixture of
// diagonal Gaussians written out here, the flow prior against the change of
// variables with an autograd Jacobian, the one-sample KL estimator against
// the closed form, and the PriorVAE's importance weights against its ELBO.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/vae/flow_prior.h"
#include "models/vae/normal.h"
#include "models/vae/prior_vae.h"
#include "models/vae/vamp_prior.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::vae;
using dgm::test::check_values;

namespace {

const TensorOptions f64 = TensorOptions(kFloat64);
const double kLog2Pi = std::log(2 * M_PI);

// log N(z; 0, I) of each row, by hand.
std::vector<double> log_std_normal(const std::vector<double>& z, int64_t d) {
  std::vector<double> out;
  for (size_t b = 0; b < z.size() / static_cast<size_t>(d); ++b) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += -0.5 * (z[b * d + j] * z[b * d + j] + kLog2Pi);
    out.push_back(s);
  }
  return out;
}

// A tiny encoder on inputs (K, 3): mu = u A^T + a, log sigma = u C^T + c, D = 2, with set weights.
const std::vector<double> kA = {0.5, -0.3, 0.8, -0.6, 0.2, 0.4}, kC = {0.3, 0.1, -0.2, -0.4, 0.25, 0.15};
const std::vector<double> ka = {0.1, -0.2}, kc = {-0.3, 0.2};

std::pair<Tensor, Tensor> tiny_encoder(const Tensor& u) {
  Tensor a = tensor(kA, {2, 3}), c = tensor(kC, {2, 3});
  return {matmul(u, a.t()) + tensor(ka), matmul(u, c.t()) + tensor(kc)};
}

}  // namespace

TEST_CASE("VampPrior::log_prob is the mixture (1/K) sum_k N(z; mu(u_k), sigma(u_k)^2) written out", "[vae][priors]") {
  const int64_t k = 3, d = 2, b = 4;
  VampPrior prior(d, Shape{3}, k, tiny_encoder);
  prior.to(kFloat64);
  const std::vector<double> w = {0.2, -1.0, 0.5, 1.5, 0.3, -0.7, -0.4, 0.9, 0.0};
  prior.load_state_dict({{"weight", tensor(w, {k, 3})}});
  Tensor z = test::uniform_values({b, d}, -2, 2, 8);
  // The reference: u = sigmoid(w), the tiny encoder's affine maps, log N per component, log-mean-exp over k.
  std::vector<double> zv = z.to_vector<double>(), expected;
  for (int64_t i = 0; i < b; ++i) {
    std::vector<double> comps;
    for (int64_t kk = 0; kk < k; ++kk) {
      double log_n = 0;
      for (int64_t j = 0; j < d; ++j) {
        double mu = ka[j], ls = kc[j];
        for (int64_t t = 0; t < 3; ++t) {
          const double u = 1 / (1 + std::exp(-w[kk * 3 + t]));
          mu += kA[j * 3 + t] * u;
          ls += kC[j * 3 + t] * u;
        }
        const double r = (zv[i * d + j] - mu) / std::exp(ls);
        log_n += -0.5 * kLog2Pi - ls - 0.5 * r * r;
      }
      comps.push_back(log_n);
    }
    double s = 0;
    for (double c : comps) s += std::exp(c);
    expected.push_back(std::log(s / k));
  }
  check_values(prior.log_prob(z), expected, 1e-12, 1e-12);
  CHECK_THROWS_WITH(prior.log_prob(zeros({2, 3}, f64)), Catch::Contains("expected z of shape (B, 2)"));
}

TEST_CASE("VampPrior samples have the mixture's mean and second moment", "[vae][priors]") {
  const int64_t k = 3, d = 2, n = 100000;
  VampPrior prior(d, Shape{3}, k, tiny_encoder);
  prior.to(kFloat64);
  auto [mu, ls] = tiny_encoder(prior.pseudo_inputs());
  std::vector<double> m = mu.to_vector<double>(), s = ls.to_vector<double>();
  Generator gen(17);
  Tensor z = prior.sample(n, Device(), &gen);
  REQUIRE(z.shape() == Shape{n, d});
  std::vector<double> mean = z.mean({0}).to_vector<double>(), sq = z.square().mean({0}).to_vector<double>();
  for (int64_t j = 0; j < d; ++j) {
    // E z = (1/K) sum mu_k,  E z^2 = (1/K) sum (mu_k^2 + sigma_k^2),  E z^4 = (1/K) sum (m^4 + 6 m^2 s^2 + 3 s^4)
    double e1 = 0, e2 = 0, e4 = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const double mk = m[kk * d + j], vk = std::exp(2 * s[kk * d + j]);
      e1 += mk / k;
      e2 += (mk * mk + vk) / k;
      e4 += (mk * mk * mk * mk + 6 * mk * mk * vk + 3 * vk * vk) / k;
    }
    // 5 standard errors of each sample mean (a correct sampler fails with probability < 1e-6)
    INFO("dim " << j);
    CHECK(std::abs(mean[j] - e1) < 5 * std::sqrt((e2 - e1 * e1) / n));
    CHECK(std::abs(sq[j] - e2) < 5 * std::sqrt((e4 - e2 * e2) / n));
  }
}

TEST_CASE("FlowPrior with a zero MADE is N(0, I), and otherwise the change of variables with its Jacobian",
          "[vae][priors]") {
  const int64_t d = 3, b = 5;
  Tensor z = test::uniform_values({b, d}, -2, 2, 21);
  {
    FlowPrior prior(d, 2, {8});
    prior.to(kFloat64);
    NoGradGuard no_grad;
    for (Tensor p : prior.parameters()) p.fill_(0);  // mu = 0, log sigma = 0: the identity
    check_values(prior.log_prob(z), log_std_normal(z.to_vector<double>(), d), 1e-12, 0);
  }
  manual_seed(4);
  FlowPrior prior(d, 2, {8});
  prior.to(kFloat64);
  {
    NoGradGuard no_grad;
    for (Tensor p : prior.parameters()) p.mul_(3.0);  // far from the identity
  }
  // log p(z) = log N(f(z); 0, I) + log|det J_f(z)|, J by autograd, its log|det| by the test's own LU
  Tensor zz = z.clone().requires_grad_();
  Tensor f = prior.flow().to_noise(zz).z;
  std::vector<std::vector<double>> rows;  // rows[i]: d f_i / d z, (B, D)
  for (int64_t i = 0; i < d; ++i) {
    Tensor g = autograd::grad({f.select(1, i).sum()}, {zz}, {}, /*retain_graph=*/true)[0];
    rows.push_back(g.to_vector<double>());
  }
  std::vector<double> fv = f.detach().to_vector<double>(), expected = log_std_normal(fv, d);
  for (int64_t e = 0; e < b; ++e) {
    std::vector<double> jac(d * d);
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < d; ++j) jac[i * d + j] = rows[i][e * d + j];
    expected[e] += test::log_abs_det(jac, d);
  }
  check_values(prior.log_prob(z), expected, 1e-10, 1e-10);
  // it is the MAF's own density
  check_values(prior.log_prob(z), prior.flow().log_prob(z).to_vector<double>(), 0, 0);
}

TEST_CASE("FlowPrior samples are the inverse flow of N(0, I) draws, with the density of the sampling direction",
          "[vae][priors]") {
  manual_seed(6);
  FlowPrior prior(4, 3, {16});
  prior.to(kFloat64);
  Generator gen(9), twin(9);
  Tensor z = prior.sample(7, Device(), &gen);
  Tensor eps = randn({7, 4}, f64, &twin);  // the draw the sampler made
  check_values(prior.flow().to_noise(z).z, eps.to_vector<double>(), 1e-9, 1e-9);
  // log p(z) = log N(eps; 0, I) - log|det dz/deps|, the log-dets of the sampling direction (layer inverses)
  Tensor h = eps, log_det = zeros({7}, f64);
  const auto& layers = prior.flow().layers();
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    models::flows::FlowOutput out = (*it)->inverse(h);
    h = out.z;
    log_det = log_det + models::flows::log_det_per_example(out.log_det);
  }
  check_values(h, z.to_vector<double>(), 1e-12, 1e-12);
  std::vector<double> expected = log_std_normal(eps.to_vector<double>(), 4), ld = log_det.to_vector<double>();
  for (size_t i = 0; i < expected.size(); ++i) expected[i] -= ld[i];
  check_values(prior.log_prob(z), expected, 1e-9, 1e-9);
}

TEST_CASE("the one-sample KL estimate log q(z|x) - log p(z) averages to the closed form", "[vae][priors]") {
  // KL(N(m, s^2) || N(0, 1)) per dim = -log s + (s^2 + m^2) / 2 - 1/2. Per dim the estimator is
  // -log s + ((s^2 - 1) e^2 + 2 m s e + m^2) / 2 with e ~ N(0, 1), of variance (s^2 - 1)^2 / 2 + m^2 s^2
  // (Var e^2 = 2, Cov(e^2, e) = 0); the dims are independent, so the variances add.
  const std::vector<double> m = {0.5, -1.0, 0.2}, ls = {-0.3, 0.4, 0.0};
  const int64_t n = 200000, d = 3;
  double kl = 0, var = 0;
  for (int64_t j = 0; j < d; ++j) {
    const double s2 = std::exp(2 * ls[j]);
    kl += -ls[j] + 0.5 * (s2 + m[j] * m[j]) - 0.5;
    var += 0.5 * (s2 - 1) * (s2 - 1) + m[j] * m[j] * s2;
  }
  Tensor mu = tensor(m).to(kFloat64).unsqueeze(0).expand({n, d}).contiguous();
  Tensor log_sigma = tensor(ls).to(kFloat64).unsqueeze(0).expand({n, d}).contiguous();
  Generator gen(31);
  Tensor z = mu + exp(log_sigma) * randn({n, d}, f64, &gen);
  StandardNormalPrior prior(d);
  const double mc = sampled_kl(z, mu, log_sigma, prior).mean().item();
  const double se = std::sqrt(var / n);
  INFO("MC " << mc << ", closed form " << kl << ", standard error " << se);
  CHECK(std::abs(mc - kl) < 4 * se);
  // the closed form the "normal" prior's loss uses is the same number
  CHECK(std::abs(get_normal_KL(mu.narrow(0, 0, 1), log_sigma.narrow(0, 0, 1)).sum().item() - kl) < 1e-12);
}

TEST_CASE("PriorVAE: the mean log importance weight equals minus the mean negative ELBO, for every prior",
          "[vae][priors]") {
  // E_q[log w] = ELBO: the K = 1 bound. Both sides are averages of independent draws; 4 standard errors
  // of their difference (sample standard deviations) bound it.
  for (const std::string prior : {"normal", "flow", "vamp"}) {
    INFO("prior " << prior);
    manual_seed(12);
    PriorVAEOptions o;
    o.prior = prior;
    o.hidden = {32};
    o.latent_dim = 4;
    o.pseudo_inputs = 5;
    o.flow_hidden = {8};
    PriorVAE model(o);
    model.to(kFloat64);
    model.eval();
    NoGradGuard no_grad;
    Tensor x = (test::uniform_values({1, 1, 28, 28}, 0, 1, 40) > 0.6).to(kFloat64);
    const int64_t reps = 3000;
    Generator gen(1);
    Tensor w = model.log_importance_weights(x, reps, &gen);
    REQUIRE(w.shape() == Shape{reps, 1});
    std::vector<double> elbo;
    for (int64_t r = 0; r < reps; ++r) elbo.push_back(model.loss(models::Batch(x)).at("elbo_loss").item());
    Tensor e = tensor(elbo).to(kFloat64);
    const double diff = w.mean().item() + e.mean().item();
    const double se = std::sqrt(w.var().item() / reps + e.var().item() / reps);
    INFO("E log w + E elbo_loss = " << diff << ", standard error " << se);
    CHECK(std::abs(diff) < 4 * se);
    CHECK(model.sample(3).shape() == Shape{3, 1, 28, 28});
  }
}
