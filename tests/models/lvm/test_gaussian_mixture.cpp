// GaussianMixture (models/lvm/gaussian_mixture.h): log_prob against a
// hand-written 2-D density (explicit 2x2 inverse and determinant, not the
// Cholesky path), a diagonal 3-D case against products of 1-D normals,
// responsibilities, SPD covariances from any raw parameters, a float64
// gradcheck, the params()/set_params round trip and sample moments.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/lvm/gaussian_mixture.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::models::lvm::GaussianMixture;
using dgm::models::lvm::MixtureParams;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A 2-component mixture in 2-D, float64, with the raw parameters set by hand.
std::shared_ptr<GaussianMixture> hand_mixture() {
  auto gm = std::make_shared<GaussianMixture>(2, 2);
  gm->to(kFloat64);
  NoGradGuard no_grad;
  gm->logits.copy_(tensor(std::vector<double>{0.3, -0.4}, {2}));
  gm->means.copy_(tensor(std::vector<double>{1.0, -2.0, -0.5, 0.7}, {2, 2}));
  gm->log_diag.copy_(tensor(std::vector<double>{0.2, -0.3, -0.1, 0.5}, {2, 2}));
  gm->tril.copy_(tensor(std::vector<double>{0.6, -1.1}, {2, 1}));
  return gm;
}

// log N(x; m, S) in 2-D by the explicit inverse S^-1 = [[d, -b], [-b, a]] / det.
double log_normal_2d(double x, double y, double mx, double my, double a, double b, double d) {
  const double det = a * d - b * b, dx = x - mx, dy = y - my;
  return -std::log(2 * kPi) - 0.5 * std::log(det) - 0.5 * (d * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
}

// The hand mixture's log p(x) and responsibilities: Sigma = L L^T with L = [[e^l0, 0], [t, e^l1]]:
// a = e^{2 l0}, b = t e^{l0}, d = t^2 + e^{2 l1}; pi = softmax(logits).
void hand_reference(double x, double y, double* log_p, double* r0) {
  const double lg[2] = {0.3, -0.4}, m[2][2] = {{1.0, -2.0}, {-0.5, 0.7}};
  const double ld[2][2] = {{0.2, -0.3}, {-0.1, 0.5}}, t[2] = {0.6, -1.1};
  const double z = std::exp(lg[0]) + std::exp(lg[1]);
  double term[2];
  for (int k = 0; k < 2; ++k) {
    const double a = std::exp(2 * ld[k][0]), b = t[k] * std::exp(ld[k][0]), d = t[k] * t[k] + std::exp(2 * ld[k][1]);
    term[k] = std::log(std::exp(lg[k]) / z) + log_normal_2d(x, y, m[k][0], m[k][1], a, b, d);
  }
  *log_p = std::log(std::exp(term[0]) + std::exp(term[1]));
  *r0 = std::exp(term[0] - *log_p);
}

}  // namespace

TEST_CASE("GaussianMixture::log_prob and responsibilities against a hand 2-D density", "[lvm][gaussian-mixture]") {
  auto gm = hand_mixture();
  const std::vector<double> pts = {0.0, 0.0, 1.5, -1.0, -3.0, 2.0, 4.0, 4.0};
  const Tensor x = tensor(pts, {4, 2});
  std::vector<double> lp, r;
  for (int i = 0; i < 4; ++i) {
    double l, r0;
    hand_reference(pts[2 * i], pts[2 * i + 1], &l, &r0);
    lp.push_back(l);
    r.push_back(r0);
    r.push_back(1 - r0);
  }
  test::check_values(gm->log_prob(x), lp, 1e-12, 1e-12);
  test::check_values(gm->responsibilities(x), r, 1e-12, 1e-12);
  // float32 parameters give the same within float32 rounding
  gm->to(kFloat32);
  test::check_values(gm->log_prob(x.to(kFloat32)), lp, 1e-5, 1e-5);
}

TEST_CASE("GaussianMixture in 3-D with diagonal L: products of 1-D normals", "[lvm][gaussian-mixture]") {
  GaussianMixture gm(1, 3);
  gm.to(kFloat64);
  NoGradGuard no_grad;
  gm.means.copy_(tensor(std::vector<double>{1, 2, 3}, {1, 3}));
  gm.log_diag.copy_(tensor(std::vector<double>{0.0, std::log(2.0), std::log(0.5)}, {1, 3}));
  const double x[3] = {0.5, -1, 3.25}, m[3] = {1, 2, 3}, s[3] = {1, 2, 0.5};
  double ref = 0;
  for (int i = 0; i < 3; ++i)  // log N(x_i; m_i, s_i^2)
    ref += -0.5 * std::log(2 * kPi * s[i] * s[i]) - 0.5 * (x[i] - m[i]) * (x[i] - m[i]) / (s[i] * s[i]);
  CHECK(gm.log_prob(tensor(std::vector<double>{x[0], x[1], x[2]}, {1, 3})).item<double>() ==
        Approx(ref).epsilon(1e-13));
  CHECK_THROWS_WITH(gm.log_prob(zeros({4, 2}, kFloat64)), Catch::Contains("expected points (B,3)"));
}

TEST_CASE("GaussianMixture: any raw parameters give SPD covariances and weights on the simplex",
          "[lvm][gaussian-mixture]") {
  GaussianMixture gm(5, 3);
  gm.to(kFloat64);
  {
    NoGradGuard no_grad;
    gm.logits.copy_(test::uniform_values({5}, -5, 5, 3));
    gm.log_diag.copy_(test::uniform_values({5, 3}, -4, 3, 4));
    gm.tril.copy_(test::uniform_values({5, 3}, -10, 10, 5));
  }
  const MixtureParams p = gm.params();
  double sum = 0;
  for (double w : p.weights) {
    CHECK(w > 0);
    sum += w;
  }
  CHECK(sum == Approx(1.0).epsilon(1e-14));
  for (int k = 0; k < 5; ++k) {
    const double* s = &p.covariances[k * 9];
    // symmetric, and Sylvester's criterion: the leading minors are positive
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) CHECK(s[a * 3 + b] == s[b * 3 + a]);
    const double m1 = s[0], m2 = s[0] * s[4] - s[1] * s[3];
    const double m3 =
        s[0] * (s[4] * s[8] - s[5] * s[7]) - s[1] * (s[3] * s[8] - s[5] * s[6]) + s[2] * (s[3] * s[7] - s[4] * s[6]);
    CHECK(m1 > 0);
    CHECK(m2 > 0);
    CHECK(m3 > 0);
    // det Sigma = prod L_ii^2 = exp(2 sum log_diag)
    const std::vector<double> ld = gm.log_diag.to_vector<double>();
    CHECK(m3 == Approx(std::exp(2 * (ld[k * 3] + ld[k * 3 + 1] + ld[k * 3 + 2]))).epsilon(1e-9));
  }
}

TEST_CASE("GaussianMixture::log_prob passes a float64 gradcheck", "[lvm][gaussian-mixture]") {
  auto gm = hand_mixture();
  const Tensor x = test::uniform_values({5, 2}, -3, 3, 9).requires_grad_();
  const std::vector<Tensor> in = {
      gm->logits.detach().clone().requires_grad_(), gm->means.detach().clone().requires_grad_(),
      gm->log_diag.detach().clone().requires_grad_(), gm->tril.detach().clone().requires_grad_(), x};
  // The members log_prob reads are pointed at the checked inputs.
  auto f = [&](const std::vector<Tensor>& v) {
    gm->logits = v[0];
    gm->means = v[1];
    gm->log_diag = v[2];
    gm->tril = v[3];
    return gm->log_prob(v[4]);
  };
  GradcheckResult r = gradcheck(f, in);
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("GaussianMixture: set_params then params round-trips, sample moments", "[lvm][gaussian-mixture]") {
  GaussianMixture gm(2, 2);
  gm.to(kFloat64);
  MixtureParams p;
  p.K = 2;
  p.D = 2;
  p.weights = {0.3, 0.7};
  p.means = {-4, 1, 3, -2};
  p.covariances = {2.0, 0.6, 0.6, 1.0, 0.5, -0.2, -0.2, 0.3};
  gm.set_params(p);
  const MixtureParams q = gm.params();
  for (size_t i = 0; i < 2; ++i) CHECK(q.weights[i] == Approx(p.weights[i]).epsilon(1e-14));
  for (size_t i = 0; i < 4; ++i) CHECK(q.means[i] == p.means[i]);
  for (size_t i = 0; i < 8; ++i) CHECK(q.covariances[i] == Approx(p.covariances[i]).epsilon(1e-13));
  // Sample moments of 100000 draws: the mixture mean sum_k pi_k mu_k = (0.9, -1.1) and variance of the first
  // coordinate sum_k pi_k (S_k,00 + mu_k0^2) - mean^2 = 0.3 (2 + 16) + 0.7 (0.5 + 9) - 0.81 = 11.24;
  // mean within 5 standard errors sqrt(var / n).
  Generator gen(11);
  const int64_t n = 100000;
  const std::vector<double> s = gm.sample(n, &gen).to_vector<double>();
  double m0 = 0, m1 = 0, v0 = 0;
  for (int64_t i = 0; i < n; ++i) {
    m0 += s[2 * i] / n;
    m1 += s[2 * i + 1] / n;
  }
  for (int64_t i = 0; i < n; ++i) v0 += (s[2 * i] - m0) * (s[2 * i] - m0) / n;
  const double var1 = 0.3 * (1.0 + 1) + 0.7 * (0.3 + 4) - 1.21;  // second coordinate's variance
  CHECK(std::fabs(m0 - 0.9) <= 5 * std::sqrt(11.24 / n));
  CHECK(std::fabs(m1 + 1.1) <= 5 * std::sqrt(var1 / n));
  // variance of the sample variance ~ (mu4 - var^2)/n; bounded here by 3 var^2 (mixture kurtosis below 4)
  CHECK(std::fabs(v0 - 11.24) <= 5 * 11.24 * std::sqrt(3.0 / n));
}
