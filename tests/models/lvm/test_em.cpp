// Classical EM (models/lvm/em.h, models/lvm/gmm_em.h): the log-likelihood
// never decreases from a bad start (the EM theorem), EM recovers a known
// 3-component mixture within sampling error, the M-step is the weighted MLE
// on a hand example, the E-step's responsibilities sum to 1 and agree with
// GaussianMixture's, and GmmEm::train_step is one such step.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/lvm/em.h"
#include "models/lvm/gaussian_mixture.h"
#include "models/lvm/gmm_em.h"
#include "models/train/optimizers.h"

using namespace dgm;
using namespace dgm::models::lvm;

namespace {

// The known mixture: weights, means, covariances (2-D), well separated (means >= 10 sd apart).
MixtureParams truth() {
  MixtureParams p;
  p.K = 3;
  p.D = 2;
  p.weights = {0.5, 0.3, 0.2};
  p.means = {0, 0, 12, 2, -3, 12};
  p.covariances = {1.0, 0.3, 0.3, 0.5, 0.6, -0.2, -0.2, 1.5, 2.0, 0.0, 0.0, 0.4};
  return p;
}

// n draws of truth() with the library's sampler (GaussianMixture::sample is tested against moments elsewhere).
std::vector<double> draw(int64_t n, uint64_t seed) {
  GaussianMixture gm(3, 2);
  gm.to(kFloat64);
  gm.set_params(truth());
  Generator gen(seed);
  return gm.sample(n, &gen).to_vector<double>();
}

}  // namespace

TEST_CASE("EM's log-likelihood never decreases, from a bad initialization", "[lvm][em]") {
  const std::vector<double> x = draw(3000, 1);
  // Bad start: every mean in a far corner, tiny covariances, lopsided weights.
  MixtureParams p;
  p.K = 3;
  p.D = 2;
  p.weights = {0.98, 0.01, 0.01};
  p.means = {15, 15, 15.01, 15, 15, 15.02};
  p.covariances = {0.01, 0, 0, 0.01, 0.01, 0, 0, 0.01, 0.01, 0, 0, 0.01};
  std::vector<double> resp, ll;
  for (int step = 0; step < 60; ++step) {
    ll.push_back(e_step(x, p, &resp));
    p = m_step(x, resp, 3, 2, 0.0);  // reg 0: exact EM, where the theorem holds
  }
  ll.push_back(e_step(x, p, nullptr));
  for (size_t t = 1; t < ll.size(); ++t) {
    INFO("step " << t << ": log-likelihood " << ll[t - 1] << " -> " << ll[t]);
    // float64 rounding of a sum of 3000 terms: far below 1e-9 relative
    CHECK(ll[t] >= ll[t - 1] - 1e-9 * std::fabs(ll[t - 1]));
  }
  CHECK(ll.back() > ll.front() + 1000);  // and it climbed out of the bad start
}

TEST_CASE("EM recovers a known 3-component mixture within sampling error", "[lvm][em]") {
  const int64_t n = 30000;
  const std::vector<double> x = draw(n, 2);
  const MixtureParams t = truth();
  // Start near the truth (means off by 1.5, unit covariances, equal weights) so the components keep their order.
  MixtureParams p = t;
  p.weights = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  for (double& m : p.means) m += 1.5;
  p.covariances = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
  std::vector<double> resp;
  for (int step = 0; step < 100; ++step) {
    e_step(x, p, &resp);
    p = m_step(x, resp, 3, 2, 0.0);
  }
  // The components overlap by < 1e-8 of their mass (the midpoints between means are >= 5.8 sd from each, along
  // the line joining them), so the MLE is the per-component sample moments, with standard errors
  // weight sqrt(w(1-w)/n); mean sqrt(S_aa/n_k); Gaussian covariance entries sqrt((S_aa S_bb + S_ab^2)/n_k),
  // n_k = w n. Each within 5 standard errors.
  for (int k = 0; k < 3; ++k) {
    const double w = t.weights[k], nk = w * n;
    const double* s = &t.covariances[k * 4];
    INFO("component " << k);
    CHECK(std::fabs(p.weights[k] - w) <= 5 * std::sqrt(w * (1 - w) / n));
    for (int a = 0; a < 2; ++a)
      CHECK(std::fabs(p.means[k * 2 + a] - t.means[k * 2 + a]) <= 5 * std::sqrt(s[a * 3] / nk));
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        CHECK(std::fabs(p.covariances[k * 4 + a * 2 + b] - s[a * 2 + b]) <=
              5 * std::sqrt((s[a * 3] * s[b * 3] + s[a * 2 + b] * s[a * 2 + b]) / nk));
  }
}

TEST_CASE("M-step = the weighted MLE closed form on a hand example", "[lvm][em]") {
  // x = (0,0), (2,0), (0,4); r = [[1,0], [0.5,0.5], [0,1]]. By hand: N = (1.5, 1.5), pi = (0.5, 0.5),
  // mu_0 = (0.5 (2,0)) / 1.5 + ... = (2/3, 0), mu_1 = (0.5 (2,0) + (0,4)) / 1.5 = (2/3, 8/3),
  // Sigma_0 = [1 (-2/3,0)(.)^T + 0.5 (4/3,0)(.)^T] / 1.5 = [[8/9, 0], [0, 0]],
  // Sigma_1 = [0.5 (4/3,-8/3)(.)^T + 1 (-2/3,4/3)(.)^T] / 1.5 = [[8/9, -16/9], [-16/9, 32/9]]; plus reg I.
  const double reg = 1e-5;
  const MixtureParams p = m_step({0, 0, 2, 0, 0, 4}, {1, 0, 0.5, 0.5, 0, 1}, 2, 2, reg);
  const std::vector<double> w = {0.5, 0.5}, m = {2.0 / 3, 0, 2.0 / 3, 8.0 / 3};
  const std::vector<double> c = {8.0 / 9 + reg, 0, 0, reg, 8.0 / 9 + reg, -16.0 / 9, -16.0 / 9, 32.0 / 9 + reg};
  for (size_t i = 0; i < 2; ++i) CHECK(p.weights[i] == Approx(w[i]).epsilon(1e-15));
  for (size_t i = 0; i < 4; ++i) CHECK(p.means[i] == Approx(m[i]).epsilon(1e-15).margin(1e-15));
  for (size_t i = 0; i < 8; ++i) CHECK(p.covariances[i] == Approx(c[i]).epsilon(1e-14).margin(1e-15));
}

TEST_CASE("E-step responsibilities sum to 1 and equal GaussianMixture's", "[lvm][em]") {
  const std::vector<double> x = draw(200, 3);
  std::vector<double> resp;
  const double ll = e_step(x, truth(), &resp);
  GaussianMixture gm(3, 2);
  gm.to(kFloat64);
  gm.set_params(truth());
  const Tensor xt = tensor(x, {200, 2});
  const std::vector<double> r = gm.responsibilities(xt).to_vector<double>();
  for (int64_t i = 0; i < 200; ++i) {
    double s = 0;
    for (int k = 0; k < 3; ++k) {
      s += resp[i * 3 + k];
      CHECK(resp[i * 3 + k] == Approx(r[i * 3 + k]).margin(1e-12));
    }
    CHECK(s == Approx(1.0).epsilon(1e-14));
  }
  CHECK(ll == Approx(gm.log_prob(xt).sum().item<double>()).epsilon(1e-12));
}

TEST_CASE("GmmEm::train_step is one full-batch EM step without an optimizer", "[lvm][em]") {
  manual_seed(5);
  const std::vector<double> x = draw(2000, 4);
  const Tensor xt = tensor(x, {2000, 2}).to(kFloat32);
  GmmEm model(3, 2);
  models::train::Optimizers none(model.optimizer_groups(), {});
  CHECK(none.names().empty());
  CHECK(none.state_dict().empty());
  double previous = -1e300;
  for (int step = 0; step < 15; ++step) {
    const MixtureParams before = model.initialized.item<int64_t>() ? model.mixture->params() : MixtureParams();
    models::Losses l = model.train_step(models::Batch(xt), none);
    const double ll = l.at("log_likelihood").item<double>();
    CHECK(l.at("loss").item<double>() == -ll);
    if (step > 0) {
      // the logged value is the E-step's log-likelihood at the parameters before the step, per point
      const std::vector<double> xf = xt.to(kFloat64).to_vector<double>();
      CHECK(ll == Approx(e_step(xf, before, nullptr) / 2000).epsilon(1e-12));
      // with reg 1e-5 the M-step is not the exact argmax, but on this data the drop it allows (second order in
      // reg) does not show: the climb is monotone
      CHECK(ll >= previous - 1e-12);
    }
    previous = ll;
  }
  CHECK(model.initialized.item<int64_t>() == 1);
}
