// Gumbel-softmax (models/vae/gumbel_softmax.h) and the discrete VAE's pieces
// (models/vae/dvae.h): the relaxation against its formula with the same
// uniform draws, its limits and its Gumbel-max law, the straight-through
// gradient, the KL to the uniform prior and the temperature schedule.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/vae/dvae.h"
#include "models/vae/gumbel_softmax.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::vae;
using dgm::test::check_values;

namespace {

const TensorOptions f64 = TensorOptions(kFloat64);

// softmax of one row, by hand
std::vector<double> softmax_row(const std::vector<double>& v) {
  double m = v[0];
  for (double x : v) m = std::max(m, x);
  double s = 0;
  std::vector<double> e;
  for (double x : v) {
    e.push_back(std::exp(x - m));
    s += e.back();
  }
  for (double& x : e) x /= s;
  return e;
}

}  // namespace

TEST_CASE("gumbel_softmax is softmax((logits + g) / tau) with g = -log(-log U), rows on the simplex", "[vae][gumbel]") {
  const int64_t b = 6, k = 5;
  Tensor logits = test::uniform_values({b, k}, -2, 2, 3);
  const double tau = 0.7;
  Generator gen(11), twin(11);
  Tensor y = gumbel_softmax(logits, tau, false, &gen);
  REQUIRE(y.shape() == Shape{b, k});
  // The reference: the same uniform draws (the function's only draw), the formula written out here.
  std::vector<double> u = rand({b, k}, f64, &twin).to_vector<double>();
  std::vector<double> l = logits.to_vector<double>(), expected;
  for (int64_t i = 0; i < b; ++i) {
    std::vector<double> row;
    for (int64_t j = 0; j < k; ++j) row.push_back((l[i * k + j] - std::log(-std::log(u[i * k + j]))) / tau);
    for (double p : softmax_row(row)) expected.push_back(p);
  }
  check_values(y, expected, 1e-12, 1e-12);
  // rows sum to 1, entries in [0, 1]
  check_values(y.sum({1}), std::vector<double>(b, 1.0), 1e-12, 0);
  CHECK(y.min().item() >= 0);
  CHECK(y.max().item() <= 1);
}

TEST_CASE("gumbel_softmax tends to the one-hot Gumbel-max sample as tau -> 0", "[vae][gumbel]") {
  Tensor logits = test::uniform_values({8, 4}, -1, 1, 5);
  Generator a(7), b(7), twin(7);
  Tensor soft = gumbel_softmax(logits, 1e-4, false, &a);
  Tensor hard = gumbel_softmax(logits, 1.0, true, &b);  // the same g: one_hot(argmax(logits + g))
  // soft differs from one-hot by about exp(-gap / tau), gap the distance of the top two perturbed logits
  // l + g of a row: below 1e-12 when gap > 3e-3 at tau = 1e-4. That holds for this seed (checked here).
  std::vector<double> u = rand({8, 4}, f64, &twin).to_vector<double>(), l = logits.to_vector<double>();
  for (int64_t i = 0; i < 8; ++i) {
    std::vector<double> v;
    for (int64_t j = 0; j < 4; ++j) v.push_back(l[i * 4 + j] - std::log(-std::log(u[i * 4 + j])));
    std::sort(v.begin(), v.end());
    REQUIRE(v[3] - v[2] > 3e-3);
  }
  check_values(soft, hard.to_vector<double>(), 1e-12, 0);
}

TEST_CASE("the argmax of gumbel_softmax is a draw from softmax(logits) (chi-square)", "[vae][gumbel]") {
  // Gumbel-max: P(argmax_k (l_k + g_k) = k) = softmax(l)_k. n draws, K = 5 cells, Pearson's statistic has
  // 4 degrees of freedom under the law; 18.47 is its 0.999 quantile (scipy.stats.chi2.ppf(0.999, 4)), so a
  // correct sampler fails with probability 1e-3 (and the seed is fixed). A wrong temperature (tau = 2: the
  // frequencies of softmax(l / 2)) would give a statistic in the thousands at this n.
  const std::vector<double> l = {1.0, 0.0, -1.0, 0.5, -2.0};
  const int64_t n = 20000, k = 5;
  Tensor logits = tensor(l).to(kFloat64).unsqueeze(0).expand({n, k}).contiguous();
  Generator gen(2024);
  Tensor y = gumbel_softmax(logits, 2.0, true, &gen);  // the argmax does not depend on tau
  std::vector<double> counts = y.sum({0}).to_vector<double>();
  std::vector<double> p = softmax_row(l);
  double chi2 = 0, total = 0;
  for (int64_t j = 0; j < k; ++j) {
    const double e = n * p[j];
    chi2 += (counts[j] - e) * (counts[j] - e) / e;
    total += counts[j];
  }
  CHECK(total == n);
  INFO("chi-square = " << chi2);
  CHECK(chi2 < 18.47);
}

TEST_CASE("hard gumbel_softmax is exactly one-hot forward and has the soft sample's gradient", "[vae][gumbel]") {
  Tensor logits0 = test::uniform_values({4, 6}, -1.5, 1.5, 9);
  Generator a(3), b(3);
  Tensor soft = gumbel_softmax(logits0, 0.5, false, &a);
  Tensor hard = gumbel_softmax(logits0, 0.5, true, &b);
  std::vector<double> s = soft.to_vector<double>(), h = hard.to_vector<double>();
  for (int64_t i = 0; i < 4; ++i) {
    int64_t arg = 0, ones = 0;
    for (int64_t j = 0; j < 6; ++j) {
      if (s[i * 6 + j] > s[i * 6 + arg]) arg = j;
      CHECK((h[i * 6 + j] == 0.0 || h[i * 6 + j] == 1.0));
      ones += h[i * 6 + j] == 1.0;
    }
    CHECK(ones == 1);
    CHECK(h[i * 6 + arg] == 1.0);  // at the argmax of the soft sample
  }
  // straight-through: d/dlogits of a weighted sum is the same for both (the same noise: a fresh seed each call)
  auto soft_f = [](const Tensor& l) {
    Generator g(3);
    return test::wsum(gumbel_softmax(l, 0.5, false, &g));
  };
  auto hard_f = [](const Tensor& l) {
    Generator g(3);
    return test::wsum(gumbel_softmax(l, 0.5, true, &g));
  };
  Tensor g_soft = test::grad_of(logits0, soft_f), g_hard = test::grad_of(logits0, hard_f);
  check_values(g_hard, g_soft.to_vector<double>(), 1e-14, 0);
  // and the soft gradient is right (finite differences at fixed noise)
  REQUIRE_GRADCHECK([&](const std::vector<Tensor>& in) { return soft_f(in[0]); }, {logits0.clone().requires_grad_()});
}

TEST_CASE("gumbel_softmax checks its arguments", "[vae][gumbel]") {
  Tensor logits = test::uniform_values({2, 3});
  CHECK_THROWS_WITH(gumbel_softmax(logits, 0.0), Catch::Contains("tau must be a finite number > 0"));
  CHECK_THROWS_WITH(gumbel_softmax(logits, 1.0, false, nullptr, 2), Catch::Contains("out of range"));
}

TEST_CASE("KL(q || Uniform(K)) = -H(q) + log K", "[vae][gumbel]") {
  // scipy: log(3) - scipy.stats.entropy(softmax([0.2, -1.0, 1.5])) = 0.3820589204388143
  // (torch.distributions.kl_divergence against a uniform Categorical agrees)
  Tensor logits = tensor(std::vector<double>{0.2, -1.0, 1.5});
  check_values(kl_to_uniform(logits), {0.3820589204388143}, 1e-14, 1e-13);
  // by hand for a batch of rows (B, N, K) reduced over K, and 0 for uniform q
  Tensor many = test::uniform_values({2, 3, 4}, -2, 2, 4);
  std::vector<double> v = many.to_vector<double>(), expected;
  for (int64_t r = 0; r < 6; ++r) {
    std::vector<double> q = softmax_row(std::vector<double>(v.begin() + r * 4, v.begin() + r * 4 + 4));
    double kl = std::log(4.0);
    for (double p : q) kl += p * std::log(p);
    expected.push_back(kl);
  }
  Tensor got = kl_to_uniform(many);
  REQUIRE(got.shape() == Shape{2, 3});
  check_values(got, expected, 1e-13, 1e-12);
  check_values(kl_to_uniform(zeros({5}, f64)), {0.0}, 1e-15, 0);
}

TEST_CASE("the Gumbel temperature max(tau_min, tau_0 exp(-r step)) and the dVAE's step buffer", "[vae][gumbel]") {
  // by hand: exp(-5e-4 * 1000) = exp(-0.5) = 0.6065306597126334; exp(-1) = 0.368 < 0.5 -> 0.5
  CHECK(gumbel_temperature(0, 1.0, 0.5, 5e-4) == 1.0);
  CHECK(std::abs(gumbel_temperature(1000, 1.0, 0.5, 5e-4) - 0.6065306597126334) < 1e-15);
  CHECK(gumbel_temperature(2000, 1.0, 0.5, 5e-4) == 0.5);
  CHECK(std::abs(gumbel_temperature(100, 2.0, 0.1, 1e-2) - 2.0 * 0.36787944117144233) < 1e-15);
  DiscreteVAE model;
  CHECK(model.step() == 0);
  CHECK(model.temperature() == 1.0);
  nn::StateDict state = model.state_dict();
  state.at("step").fill_(1000);
  CHECK(model.step() == 1000);  // the state dict shares the buffer's data
  CHECK(std::abs(model.temperature() - 0.6065306597126334) < 1e-15);
}

TEST_CASE("the dVAE's losses, samples and importance weights have their shapes", "[vae][gumbel]") {
  manual_seed(5);
  DiscreteVAE model;
  Tensor x = (rand({3, 1, 28, 28}) > 0.5).to(kFloat32);
  models::Losses losses = model.loss(models::Batch(x));
  CHECK(std::isfinite(losses.at("loss").item()));
  // loss = recon + kl; kl in [0, N log K]
  CHECK(std::abs(losses.at("loss").item() - losses.at("recon_loss").item() - losses.at("kl_loss").item()) < 1e-4);
  CHECK(losses.at("kl_loss").item() >= 0);
  CHECK(losses.at("kl_loss").item() <= 20 * std::log(10.0) + 1e-4);
  CHECK(model.sample(4).shape() == Shape{4, 1, 28, 28});
  Tensor w = model.log_importance_weights(x, 5);
  CHECK(w.shape() == Shape{5, 3});
  CHECK(std::isfinite(w.sum().item()));
  CHECK_THROWS_WITH(model.encode(zeros({2, 784})), Catch::Contains("expected images of shape (B,1,28,28)"));
}

TEST_CASE("the dVAE's importance weights are exact values of the enumerated posterior, drawn with q's frequencies",
          "[vae][gumbel]") {
  // One categorical latent with K = 3 classes: every c can be enumerated. For each c, computed here from the
  // model's own encode/decode with the formula written out independently,
  //   log w(c) = log p(x|c) + log p(c) - log q(c|x),  log p(x|c) = sum_pixels [x l - softplus(l)], l = decode(c),
  //   log p(c) = -log 3,  log q(c|x) = log_softmax(encode(x))_c.
  // Each draw of log_importance_weights must equal log w(c) for some c, and the c's must come with frequency
  // q(c|x) (binomial 5-sigma bounds).
  manual_seed(11);
  DiscreteVAEOptions o;
  o.latents = 1;
  o.classes = 3;
  o.hidden = {8};
  DiscreteVAE model(o);
  Tensor x = (rand({1, 1, 28, 28}) > 0.5).to(kFloat32);
  std::vector<double> log_w(3), q(3);
  std::vector<double> q_logits = model.encode(x).to(kFloat64).reshape({3}).to_vector<double>();
  const double lse = std::log(std::exp(q_logits[0]) + std::exp(q_logits[1]) + std::exp(q_logits[2]));
  std::vector<double> xs = x.to(kFloat64).reshape({784}).to_vector<double>();
  for (int c = 0; c < 3; ++c) {
    Tensor one_hot = zeros({1, 1, 3});
    one_hot.select(2, c).fill_(1.0);
    std::vector<double> l = model.decode(one_hot).to(kFloat64).reshape({784}).to_vector<double>();
    double log_px = 0;
    for (int i = 0; i < 784; ++i) log_px += xs[i] * l[i] - std::log1p(std::exp(l[i]));
    q[c] = std::exp(q_logits[c] - lse);
    log_w[c] = log_px - std::log(3.0) - (q_logits[c] - lse);
  }
  const int64_t draws = 3000;
  Generator gen(3);
  std::vector<double> got = model.log_importance_weights(x, draws, &gen).to(kFloat64).to_vector<double>();
  std::vector<int64_t> counts(3, 0);
  for (double v : got) {
    int match = -1;
    for (int c = 0; c < 3; ++c)
      if (std::abs(v - log_w[c]) <= 1e-3 * std::max(1.0, std::abs(log_w[c]))) match = c;
    INFO("draw " << v << " against " << log_w[0] << ", " << log_w[1] << ", " << log_w[2]);
    REQUIRE(match >= 0);
    ++counts[match];
  }
  for (int c = 0; c < 3; ++c) {
    INFO("class " << c << ": " << counts[c] << " of " << draws << " draws, q = " << q[c]);
    CHECK(std::abs(counts[c] - draws * q[c]) <= 5 * std::sqrt(draws * q[c] * (1 - q[c])) + 1);
  }
}
