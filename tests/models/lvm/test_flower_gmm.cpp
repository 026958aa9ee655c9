// Seminar 4's FlowerGMM toy set (nn/data/flower_gmm.h): its draws have the
// stated weights, means and covariances, its log-density is the stated
// mixture (a hand value) and integrates to 1, and the split is deterministic.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "nn/data/flower_gmm.h"
#include "nn/data/toy_datasets.h"

using namespace dgm;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Stated {
  double mx, my, sxx, sxy, syy;
};

// The geometry as the header states it, written out again here: centre N(0, I); petal k = 1..7 at angle
// 2 pi (k-1)/7, mean 6 u, covariance 3 u u^T + 1 v v^T with u = (cos, sin), v = (-sin, cos).
Stated stated(int k) {
  if (k == 0) return {0, 0, 1, 0, 1};
  const double a = 2 * kPi * (k - 1) / 7, c = std::cos(a), s = std::sin(a);
  return {6 * c, 6 * s, 3 * c * c + s * s, 3 * c * s - s * c, 3 * s * s + c * c};
}

}  // namespace

TEST_CASE("flower-gmm draws match the stated weights, means and covariances", "[lvm][flower-gmm]") {
  const int64_t n = 200000;
  Generator gen(7);
  nn::data::ToySet s = nn::data::flower_gmm(n, &gen);
  REQUIRE(s.points.shape() == Shape{n, 2});
  const std::vector<double> x = s.points.to(kFloat64).to_vector<double>();
  const std::vector<int64_t> c = s.labels.to_vector<int64_t>();
  for (int k = 0; k < 8; ++k) {
    double cnt = 0, mx = 0, my = 0;
    for (int64_t i = 0; i < n; ++i)
      if (c[i] == k) {
        cnt += 1;
        mx += x[2 * i];
        my += x[2 * i + 1];
      }
    mx /= cnt;
    my /= cnt;
    double sxx = 0, sxy = 0, syy = 0;
    for (int64_t i = 0; i < n; ++i)
      if (c[i] == k) {
        const double dx = x[2 * i] - mx, dy = x[2 * i + 1] - my;
        sxx += dx * dx / cnt;
        sxy += dx * dy / cnt;
        syy += dy * dy / cnt;
      }
    const Stated t = stated(k);
    INFO("component " << k << ": count " << cnt << " mean (" << mx << ", " << my << ") cov (" << sxx << ", " << sxy
                      << ", " << syy << ")");
    // 5 standard errors: weight sqrt(p(1-p)/n); mean sqrt(S_aa/n_k); Gaussian covariance sqrt((S_aa S_bb + S_ab^2)/n_k)
    CHECK(std::fabs(cnt / n - 0.125) <= 5 * std::sqrt(0.125 * 0.875 / n));
    CHECK(std::fabs(mx - t.mx) <= 5 * std::sqrt(t.sxx / cnt));
    CHECK(std::fabs(my - t.my) <= 5 * std::sqrt(t.syy / cnt));
    CHECK(std::fabs(sxx - t.sxx) <= 5 * std::sqrt(2 * t.sxx * t.sxx / cnt));
    CHECK(std::fabs(sxy - t.sxy) <= 5 * std::sqrt((t.sxx * t.syy + t.sxy * t.sxy) / cnt));
    CHECK(std::fabs(syy - t.syy) <= 5 * std::sqrt(2 * t.syy * t.syy / cnt));
  }
}

TEST_CASE("flower-gmm log-density: a hand value and total mass 1 on a grid", "[lvm][flower-gmm]") {
  // At the origin: centre N(0; 0, I) = 1/(2 pi); each petal: the offset -6u lies along the radius (variance 3),
  // quad = 36/3 = 12, det = 3, N = exp(-6) / (2 pi sqrt 3). p = 1/8 (1/(2 pi) + 7 exp(-6) / (2 pi sqrt 3)).
  const double p0 = (1 / (2 * kPi) + 7 * std::exp(-6.0) / (2 * kPi * std::sqrt(3.0))) / 8;
  const Tensor at = tensor(std::vector<double>{0, 0}, {1, 2});
  CHECK(nn::data::flower_gmm_log_prob(at).item<double>() == Approx(std::log(p0)).epsilon(1e-12));
  // Riemann sum over [-20, 20]^2, cell 0.05: Gaussians' sums converge spectrally; the mass outside is < 1e-12
  // (the farthest petal point at radius 20 is 14 / sqrt(3) > 8 sd from its mean).
  const int64_t m = 800;
  const double h = 40.0 / m;
  std::vector<double> g;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j) {
      g.push_back(-20 + (i + 0.5) * h);
      g.push_back(-20 + (j + 0.5) * h);
    }
  const std::vector<double> lp = nn::data::flower_gmm_log_prob(tensor(g, {m * m, 2})).to_vector<double>();
  double mass = 0;
  for (double v : lp) mass += std::exp(v) * h * h;
  CHECK(mass == Approx(1.0).margin(1e-6));
}

TEST_CASE("flower-gmm as a toy set: 20000 train / 5000 test, deterministic from the seed", "[lvm][flower-gmm]") {
  nn::data::ToyData a = nn::data::load_toy_dataset("flower-gmm", 0, 3),
                    b = nn::data::load_toy_dataset("flower-gmm", 0, 3);
  nn::data::ToyData c = nn::data::load_toy_dataset("flower-gmm", 0, 4);
  CHECK(a.train.x.shape() == Shape{20000, 2});
  CHECK(a.test.x.shape() == Shape{5000, 2});
  CHECK(a.train.x.to_vector<float>() == b.train.x.to_vector<float>());
  CHECK(a.train.x.to_vector<float>() != c.train.x.to_vector<float>());
  // The floor for the models: the true mixture's test NLL on `dgm train`'s default split (seed 0).
  nn::data::ToyData d = nn::data::load_toy_dataset("flower-gmm", 0, 0);
  const double nll = -nn::data::flower_gmm_log_prob(d.test.x).mean().item<double>();
  INFO("true FlowerGMM test NLL (seed 0, 5000 points): " << nll << " nats per point");  // 5.2836, the models' floor
  // Its expectation is the mixture's entropy H = 5.28523 nats, with std(log p) = 0.83154, from SciPy on a 0.02 grid
  // over [-20, 20]^2 (scipy.stats.multivariate_normal(m, S).pdf of the 8 components / 8; H = -sum p log p h^2). The
  // mean of 5000 draws is within 5 standard errors, 5 * 0.83154 / sqrt(5000) = 0.0588.
  CHECK(std::fabs(nll - 5.28523) <= 0.0588);
}
