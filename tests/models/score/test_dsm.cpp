// The score of a point set smoothed by N(0, sigma^2 I) (models/score/smoothed_data_score.h), which is what
// denoising score matching learns at its optimum:
//   * against central finite differences of log (1/n) sum_i N(y; x_i, sigma^2 I), written out here in double;
//   * the DSM identity E[ s*(y) . (-eps/sigma) ] = E ||s*(y)||^2 for y = x + sigma eps, x from the same points
//     (E[-eps/sigma | y] = grad log q_sigma(y) = s*(y)): the regression coefficient of the DSM target on s* is 1,
//     checked within 5 delta-method standard errors of the sample.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dgm.h"
#include "models/score/smoothed_data_score.h"

using namespace dgm;
using namespace dgm::models::score;

namespace {

const std::vector<double> kData{0.0, 0.0, 1.0, 0.5, -0.7, 1.2, 0.3, -1.1, 2.0, 0.4};  // 5 points

double log_q(double a, double b, double sigma) {
  double sum = 0;
  for (size_t i = 0; i < kData.size(); i += 2) {
    const double d2 = (a - kData[i]) * (a - kData[i]) + (b - kData[i + 1]) * (b - kData[i + 1]);
    sum += std::exp(-d2 / (2 * sigma * sigma)) / (2 * M_PI * sigma * sigma);
  }
  return std::log(sum / 5);
}

}  // namespace

TEST_CASE("the smoothed data score matches finite differences of the smoothed log-density", "[score][dsm]") {
  const double sigma = 0.4, h = 1e-6;
  const std::vector<double> pts{0.1, 0.2, -1.0, 0.5, 1.5, 1.5, 0.5, -0.5};
  const Tensor s = smoothed_data_score(tensor(pts, {4, 2}), tensor(kData, {5, 2}), sigma);
  REQUIRE(s.shape() == Shape{4, 2});
  const std::vector<double> v = s.to_vector<double>();
  for (int i = 0; i < 4; ++i) {
    const double a = pts[2 * i], b = pts[2 * i + 1];
    CHECK(v[2 * i] == Approx((log_q(a + h, b, sigma) - log_q(a - h, b, sigma)) / (2 * h)).epsilon(1e-5));
    CHECK(v[2 * i + 1] == Approx((log_q(a, b + h, sigma) - log_q(a, b - h, sigma)) / (2 * h)).epsilon(1e-5));
  }
  CHECK_THROWS_WITH(smoothed_data_score(zeros({2, 3}), zeros({5, 2}), 0.1), Catch::Contains("smoothed_data_score"));
}

TEST_CASE("the smoothed data score is the DSM optimum: the target's regression coefficient on it is 1",
          "[score][dsm]") {
  const double sigma = 0.5;
  const int64_t n = 20000;
  Generator gen(21);
  const Tensor data = tensor(kData, {5, 2});
  // x uniform over the 5 points, y = x + sigma eps
  const Tensor idx = (rand({n}, kFloat64, &gen) * 5.0).floor().clamp(0.0, 4.0).to(kInt64);
  const Tensor x = data.index_select(0, idx);
  const Tensor eps = randn({n, 2}, kFloat64, &gen);
  const Tensor s = smoothed_data_score(x + eps * sigma, data, sigma);
  const Tensor t = -eps / sigma;
  const Tensor a = (s * t).sum({1}), b = s.square().sum({1});
  const double c = a.mean().item() / b.mean().item();
  // delta method: c - 1 ~ mean(a - b) / mean(b), its standard error sd(a - c b) / (sqrt(n) mean(b))
  const double se = (a - b * c).std().item() / (std::sqrt(static_cast<double>(n)) * b.mean().item());
  INFO("c = " << c << ", se = " << se);
  CHECK(se < 0.05);  // the sample resolves c to a few percent
  CHECK(std::abs(c - 1) < 5 * se);
  // the DSM loss is larger at 1.3 s* than at s* (the quadratic in the scale is least at c ~ 1)
  const double l1 = (s - t).square().sum({1}).mean().item(), l13 = (s * 1.3 - t).square().sum({1}).mean().item();
  CHECK(l1 < l13);
}
