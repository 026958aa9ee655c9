// The importance-weighted bounds (models/vae/iwae.h; homework 2 theory problems 1 and 3):
//   * probabilistic PCA, p(z) = N(0, I), p(x|z) = N(W z + b, s^2 I), has the closed forms (COURSE.md HW2 P3)
//       p(x) = N(b, W W^T + s^2 I),   p(z|x) = N(M^-1 W^T (x - b), s^2 M^-1),   M = W^T W + s^2 I:
//     with the exact posterior as encoder every weight is p(x), so L_K = log p(x) exactly; with a perturbed
//     encoder L_1 < L_5 < L_50 < log p(x) and the gap shrinks as chi^2 / (2K) (delta method);
//   * on a trained MlpVAE, L_1 <= L_5 <= L_50 (P1) beyond Monte Carlo noise;
//   * the --iwae list parser and the error for a model without importance weights.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/vae/iwae.h"
#include "models/vae/mlp_vae.h"
#include "nn/optim/adam.h"

using namespace dgm;
using namespace dgm::models;

namespace {

using M2 = std::array<double, 4>;  // 2x2 row-major

M2 inv2(const M2& a) {
  const double d = a[0] * a[3] - a[1] * a[2];
  return {a[3] / d, -a[1] / d, -a[2] / d, a[0] / d};
}
double det2(const M2& a) { return a[0] * a[3] - a[1] * a[2]; }
M2 chol2(const M2& a) {  // lower L with L L^T = a
  const double l00 = std::sqrt(a[0]), l10 = a[2] / l00;
  return {l00, 0, l10, std::sqrt(a[3] - l10 * l10)};
}

// pPCA with D = 3, L = 2, in float64, and a Gaussian encoder q(z|x) = N(m*(x) + delta, S_q) with full covariance:
// delta = 0 and S_q = s^2 M^-1 is the exact posterior.
class LinearGaussian : public vae::ImportanceWeighted {
 public:
  static constexpr int D = 3;
  double w[D][2] = {{1.0, 0.5}, {-0.3, 0.8}, {0.6, -0.7}}, b[D] = {0.2, -0.1, 0.4}, s = 0.5;
  std::array<double, 2> delta = {0, 0};
  M2 cov_q;

  LinearGaussian() { cov_q = posterior_cov(); }
  M2 m_matrix() const {  // M = W^T W + s^2 I
    M2 m{s * s, 0, 0, s * s};
    for (int i = 0; i < D; ++i) {
      m[0] += w[i][0] * w[i][0];
      m[1] += w[i][0] * w[i][1];
      m[2] += w[i][1] * w[i][0];
      m[3] += w[i][1] * w[i][1];
    }
    return m;
  }
  M2 posterior_cov() const {
    M2 mi = inv2(m_matrix());
    for (double& v : mi) v *= s * s;
    return mi;
  }
  std::array<double, 2> posterior_mean(const double* x) const {  // M^-1 W^T (x - b)
    double r[2] = {0, 0};
    for (int i = 0; i < D; ++i)
      for (int j = 0; j < 2; ++j) r[j] += w[i][j] * (x[i] - b[i]);
    const M2 mi = inv2(m_matrix());
    return {mi[0] * r[0] + mi[1] * r[1], mi[2] * r[0] + mi[3] * r[1]};
  }
  // log N(x; b, W W^T + s^2 I) through a 3x3 Cholesky.
  double log_px(const double* x) const {
    double c[D][D];
    for (int i = 0; i < D; ++i)
      for (int j = 0; j < D; ++j) c[i][j] = w[i][0] * w[j][0] + w[i][1] * w[j][1] + (i == j ? s * s : 0);
    double l[D][D] = {};
    for (int i = 0; i < D; ++i)
      for (int j = 0; j <= i; ++j) {
        double v = c[i][j];
        for (int k = 0; k < j; ++k) v -= l[i][k] * l[j][k];
        l[i][j] = i == j ? std::sqrt(v) : v / l[j][j];
      }
    double y[D], logdet = 0, q = 0;
    for (int i = 0; i < D; ++i) {
      double v = x[i] - b[i];
      for (int k = 0; k < i; ++k) v -= l[i][k] * y[k];
      y[i] = v / l[i][i];
      q += y[i] * y[i];
      logdet += 2 * std::log(l[i][i]);
    }
    return -0.5 * (D * std::log(2 * M_PI) + logdet + q);
  }
  // log w = log N(x; W z + b, s^2 I) + log N(z; 0, I) - log N(z; m*(x) + delta, S_q)
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen) override {
    const int64_t n = x.size(0);
    const std::vector<double> xv = x.to(kFloat64).contiguous().to_vector<double>();
    const std::vector<double> eps = randn({k, n, 2}, kFloat64, gen).to_vector<double>();
    const M2 lq = chol2(cov_q), iq = inv2(cov_q);
    const double log_det_q = std::log(det2(cov_q));
    std::vector<double> out(static_cast<size_t>(k * n));
    for (int64_t i = 0; i < n; ++i) {
      const double* xi = &xv[static_cast<size_t>(i * D)];
      std::array<double, 2> m = posterior_mean(xi);
      m[0] += delta[0];
      m[1] += delta[1];
      for (int64_t t = 0; t < k; ++t) {
        const double* e = &eps[static_cast<size_t>((t * n + i) * 2)];
        const double z0 = m[0] + lq[0] * e[0], z1 = m[1] + lq[2] * e[0] + lq[3] * e[1];
        double lp = -0.5 * (z0 * z0 + z1 * z1) - std::log(2 * M_PI);
        for (int d = 0; d < D; ++d) {
          const double r = xi[d] - (w[d][0] * z0 + w[d][1] * z1 + b[d]);
          lp += -0.5 * std::log(2 * M_PI) - std::log(s) - r * r / (2 * s * s);
        }
        const double u0 = z0 - m[0], u1 = z1 - m[1];
        const double quad = u0 * (iq[0] * u0 + iq[1] * u1) + u1 * (iq[2] * u0 + iq[3] * u1);
        const double lq_z = -std::log(2 * M_PI) - 0.5 * log_det_q - 0.5 * quad;
        out[static_cast<size_t>(t * n + i)] = lp - lq_z;
      }
    }
    return tensor(out, {k, n});
  }
  // chi^2(p(z|x) || q) = E_q[(p/q)^2] - 1 for Gaussians p = N(mp, Sp), q = N(mp + delta, Sq):
  //   E_q[(p/q)^2] = |Sq|^1/2 / (|Sp| |A|^1/2) exp((h^T A^-1 h - c) / 2),  A = 2 Sp^-1 - Sq^-1,
  //   h = 2 Sp^-1 mp - Sq^-1 mq, c = 2 mp^T Sp^-1 mp - mq^T Sq^-1 mq (take mp = 0: it only shifts both).
  double chi2() const {
    const M2 sp = posterior_cov(), ip = inv2(sp), iq = inv2(cov_q);
    const M2 a = {2 * ip[0] - iq[0], 2 * ip[1] - iq[1], 2 * ip[2] - iq[2], 2 * ip[3] - iq[3]};
    const double h0 = -(iq[0] * delta[0] + iq[1] * delta[1]), h1 = -(iq[2] * delta[0] + iq[3] * delta[1]);
    const M2 ai = inv2(a);
    const double hah = h0 * (ai[0] * h0 + ai[1] * h1) + h1 * (ai[2] * h0 + ai[3] * h1);
    const double c =
        -(delta[0] * (iq[0] * delta[0] + iq[1] * delta[1]) + delta[1] * (iq[2] * delta[0] + iq[3] * delta[1]));
    return std::sqrt(det2(cov_q)) / (det2(sp) * std::sqrt(det2(a))) * std::exp(0.5 * (hah - c)) - 1;
  }
  // n draws of x ~ p(x) = N(b, W W^T + s^2 I) through the model
  Tensor data(int64_t n, Generator* gen) const {
    const std::vector<double> e = randn({n, 5}, kFloat64, gen).to_vector<double>();
    std::vector<double> x(static_cast<size_t>(n * D));
    for (int64_t i = 0; i < n; ++i)
      for (int d = 0; d < D; ++d)
        x[i * D + d] = w[d][0] * e[i * 5] + w[d][1] * e[i * 5 + 1] + b[d] + s * e[i * 5 + 2 + d];
    return tensor(x, {n, D});
  }
  double mean_log_px(const Tensor& x) const {
    const std::vector<double> xv = x.to_vector<double>();
    double t = 0;
    for (int64_t i = 0; i < x.size(0); ++i) t += log_px(&xv[static_cast<size_t>(i * D)]);
    return t / static_cast<double>(x.size(0));
  }
};

}  // namespace

TEST_CASE("IWAE on probabilistic PCA: the exact posterior gives L_K = log p(x) for every K", "[vae][iwae]") {
  LinearGaussian m;
  Generator gen(1);
  Tensor x = m.data(50, &gen);
  const double log_p = m.mean_log_px(x);
  for (int64_t k : {1, 5, 50}) {
    INFO("K = " << k);
    // every weight is p(x, z) / p(z|x) = p(x): only float64 rounding
    CHECK(vae::iwae_bound(m, x, k, &gen) == Approx(log_p).margin(1e-10));
  }
}

TEST_CASE("IWAE on probabilistic PCA: a perturbed encoder gives L_1 < L_5 < L_50 < log p(x) -> log p(x)",
          "[vae][iwae]") {
  LinearGaussian m;
  const M2 sp = m.posterior_cov();
  m.cov_q = {1.5 * sp[0], 0, 0, 1.5 * sp[3]};  // wider, uncorrelated: a mean-field encoder
  m.delta = {0.1, -0.05};
  const double chi2 = m.chi2();
  INFO("chi^2(p(z|x) || q) = " << chi2);
  REQUIRE(chi2 > 0.05);
  REQUIRE(chi2 < 5);
  Generator gen(2);
  // Standard error of L_K over n points: sd(log mean_k w/p) ~ sqrt(chi^2 / K) / sqrt(n) for large K; L_1's is the
  // sd of log w. 20000 points make the K <= 50 gaps (about KL, chi^2/10, chi^2/100) many standard errors apart.
  Tensor x = m.data(20000, &gen);
  const double log_p = m.mean_log_px(x);
  const double l1 = vae::iwae_bound(m, x, 1, &gen), l5 = vae::iwae_bound(m, x, 5, &gen);
  const double l50 = vae::iwae_bound(m, x, 50, &gen);
  INFO("log p " << log_p << ", L_1 " << l1 << ", L_5 " << l5 << ", L_50 " << l50);
  const double se50 = std::sqrt(chi2 / 50 / 20000.0);
  CHECK(l1 < l5);
  CHECK(l5 < l50);
  CHECK(l50 < log_p);  // the expected gap chi^2/100 is ~4 se here
  // the delta method's gap chi^2 / (2K) within 4 standard errors
  CHECK(std::abs((log_p - l50) - chi2 / 100) < 4 * se50);
  // K = 5000 on 200 points: the gap is chi^2 / (2K) (1 + O(1/K)); the estimate's sd is sqrt(chi^2 / K / n).
  Tensor x2 = m.data(200, &gen);
  const double l5000 = vae::iwae_bound(m, x2, 5000, &gen), log_p2 = m.mean_log_px(x2);
  const double tol = chi2 / 10000 + 4 * std::sqrt(chi2 / 5000 / 200.0);
  CHECK(std::abs(log_p2 - l5000) < tol);
  CHECK(log_p2 - l5000 < log_p - l50);  // the gap shrinks with K
}

TEST_CASE("IWAE on a trained MlpVAE: L_1 <= L_5 <= L_50 beyond Monte Carlo noise", "[vae][iwae]") {
  // A small VAE trained briefly on a rotated 2-D Gaussian: with one learned sigma its posterior is not exact, so
  // the bounds differ by more than their standard errors (measured on the points below, 4 sigma asked).
  manual_seed(3);
  vae::MlpVAEOptions o;
  o.encoder_hidden = {32};
  o.decoder_hidden = {32};
  vae::MlpVAE model(o);
  Generator gen(4);
  const Tensor rot = tensor(std::vector<float>{2.1f, 2.1f, -0.7f, 0.7f}, {2, 2});  // (3,1) scaled 45-degree R
  nn::optim::Adam opt(model.parameters(), nn::optim::AdamOptions().lr(3e-3));
  for (int step = 0; step < 150; ++step) {
    Tensor x = matmul(randn({128, 2}, &gen), rot);
    opt.zero_grad();
    model.loss(x).at("elbo_loss").backward();
    opt.step();
  }
  const int64_t n = 8000;
  Tensor x = matmul(randn({n, 2}, &gen), rot);
  NoGradGuard no_grad;
  // Paired over the same points: the spread of log p(x) over x cancels in L_K(x) - L_M(x), leaving the Monte Carlo
  // noise, whose standard error is measured from the differences themselves.
  std::vector<Tensor> per;
  for (int64_t k : {1, 5, 50})
    per.push_back(vae::iwae_bound_per_example(model.log_importance_weights(x, k, &gen)).to(kFloat64));
  std::vector<double> mean;
  for (const Tensor& p : per) mean.push_back(p.mean().item());
  const Tensor d15 = per[1] - per[0], d550 = per[2] - per[1];
  const double se15 = d15.std().item() / std::sqrt(static_cast<double>(n));
  const double se550 = d550.std().item() / std::sqrt(static_cast<double>(n));
  INFO("L_1 " << mean[0] << ", L_5 " << mean[1] << ", L_50 " << mean[2] << "; L_5 - L_1 = " << d15.mean().item()
              << " +- " << se15 << ", L_50 - L_5 = " << d550.mean().item() << " +- " << se550);
  CHECK(d15.mean().item() > 4 * se15);
  CHECK(d550.mean().item() > 4 * se550);
  const double se50 = per[2].std().item() / std::sqrt(static_cast<double>(n));
  // iwae_bound (chunked, 4096 draws at a time) agrees with the one-shot per-example mean within noise.
  CHECK(vae::iwae_bound(model, x, 50, &gen) == Approx(mean[2]).margin(4 * se50));
}

TEST_CASE("--iwae: the list parser and a model without importance weights", "[vae][iwae]") {
  CHECK(vae::parse_iwae_ks("--iwae", "1,5,50") == std::vector<int64_t>{1, 5, 50});
  CHECK(vae::parse_iwae_ks("--iwae", "7") == std::vector<int64_t>{7});
  for (const char* bad : {"0", "a", "", "1,,5", "5,-1", "1.5", "1,5,"}) {
    INFO("--iwae '" << bad << "'");
    CHECK_THROWS_AS(vae::parse_iwae_ks("--iwae", bad), dgm::Error);
    CHECK_THROWS_WITH(vae::parse_iwae_ks("--iwae", bad), Catch::Contains("--iwae"));
  }
  struct NotLatent : GenerativeModel {
    std::string name() const override { return "NotLatent"; }
    Losses loss(const Batch&) override { return {}; }
    Tensor sample(int64_t n, const SampleOptions&) override { return zeros({n, 2}); }
  } plain;
  CHECK_THROWS_WITH(vae::evaluate_iwae(plain, "moons-flow", zeros({4, 2}), {1}),
                    Catch::Contains("--iwae") && Catch::Contains("moons-flow"));
}
