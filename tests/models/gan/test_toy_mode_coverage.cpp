// Mode coverage on the 8-Gaussians ring (models/gan/mode_coverage.h) on hand-placed points, and the ring's
// centres against the data set's own points.
#include <cmath>

#include "models/gan/mode_coverage.h"
#include "nn/data/toy_datasets.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::gan;

TEST_CASE("mode coverage counts modes hit and the share within 3 sigma", "[gan][toy]") {
  const Tensor centers = ring_centers();
  const double sigma = ring_sigma();
  // every sample on a centre, 10 per mode -> 8 modes, 100 %
  ModeCoverage all = mode_coverage(centers.repeat({10, 1}), centers, sigma);
  CHECK(all.modes_hit == 8);
  CHECK(all.high_quality == 1.0);
  // every sample at the origin (1.414 from every centre) -> no mode, 0 %
  ModeCoverage origin = mode_coverage(zeros({50, 2}), centers, sigma);
  CHECK(origin.modes_hit == 0);
  CHECK(origin.high_quality == 0.0);
  // 30 points on modes 0, 1, 2 (10 each) and 30 at the origin -> 3 modes, 50 %
  Tensor half = cat({centers.narrow(0, 0, 3).repeat({10, 1}), zeros({30, 2}, kFloat64)}, 0);
  ModeCoverage h = mode_coverage(half, centers, sigma);
  CHECK(h.modes_hit == 3);
  CHECK(h.high_quality == 0.5);
  // 2.9 sigma from centre 0 along x is in, 3.1 sigma is out
  const double c0 = 2 / 1.414;
  Tensor near = tensor(std::vector<double>{c0 + 2.9 * sigma, 0, c0 + 3.1 * sigma, 0}, {2, 2}, kFloat64);
  ModeCoverage n = mode_coverage(near, centers, sigma);
  CHECK(n.high_quality == 0.5);
  CHECK(n.modes_hit == 1);
  // one stray point among 200 at the origin is under 1 % of the samples: the mode is not counted
  Tensor stray = cat({centers.narrow(0, 0, 1), zeros({199, 2}, kFloat64)}, 0);
  CHECK(mode_coverage(stray, centers, sigma).modes_hit == 0);
  CHECK_THROWS_WITH(mode_coverage(zeros({4, 3}), centers, sigma), Catch::Contains("mode_coverage"));
}

TEST_CASE("the ring's centres and sigma are those of the 8gaussians data set", "[gan][toy]") {
  // per label, the data's mean is its centre (std of a mean of ~2500 points: 0.057 / 50 ~ 0.001) and the
  // per-axis std is the noise 0.08 / 1.414 (seminar 6's set, nn/data/toy_datasets.cpp)
  auto data = nn::data::load_toy_dataset("8gaussians");
  const std::vector<double> x = data.train.x.to(kFloat64).to_vector<double>();
  const std::vector<int64_t> y = data.train.y.to_vector<int64_t>();
  const std::vector<double> c = ring_centers().to_vector<double>();
  std::vector<double> sum(16, 0), sq(16, 0), count(8, 0);
  for (size_t i = 0; i < y.size(); ++i) {
    for (int e = 0; e < 2; ++e) sum[2 * y[i] + e] += x[2 * i + e], sq[2 * y[i] + e] += x[2 * i + e] * x[2 * i + e];
    count[y[i]] += 1;
  }
  for (int k = 0; k < 8; ++k)
    for (int e = 0; e < 2; ++e) {
      INFO("mode " << k << " axis " << e);
      const double m = sum[2 * k + e] / count[k], s = std::sqrt(sq[2 * k + e] / count[k] - m * m);
      CHECK(std::fabs(m - c[2 * k + e]) < 0.005);
      CHECK(std::fabs(s - ring_sigma()) < 0.005);
    }
  // and 3 sigma covers ~98.9 % of a 2-D Gaussian (1 - exp(-9/2)): the data's own share
  ModeCoverage d = mode_coverage(data.test.x, ring_centers(), ring_sigma());
  CHECK(d.modes_hit == 8);
  CHECK(std::fabs(d.high_quality - (1 - std::exp(-4.5))) < 0.01);
}
