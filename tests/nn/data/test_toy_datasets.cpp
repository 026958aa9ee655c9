// dgm::nn::data::load_toy_dataset: the course's toy sets by name, sizes, 80/20
// splits, determinism, and their statistics against closed forms.
#include <cmath>
#include <numeric>

#include "tests/helpers.h"

using namespace dgm;

namespace {

// Train and test rows joined back, as float64 values.
std::vector<double> all_x(const nn::data::ToyData& d) {
  std::vector<double> v = d.train.x.to_vector<double>(), t = d.test.x.to_vector<double>();
  v.insert(v.end(), t.begin(), t.end());
  return v;
}
std::vector<int64_t> all_y(const nn::data::ToyData& d) {
  std::vector<int64_t> v = d.train.y.to_vector<int64_t>(), t = d.test.y.to_vector<int64_t>();
  v.insert(v.end(), t.begin(), t.end());
  return v;
}
double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / (v.size() - 1);
}

}  // namespace

TEST_CASE("load_toy_dataset: default sizes, 80/20 splits, dtypes and labels", "[data]") {
  struct Expect {
    std::string name;
    int64_t n, dim;
    DType dtype;
    bool labels;
  };
  const std::vector<Expect> table = {
      {"moons", 5000, 2, kFloat32, true},
      {"circles", 5000, 2, kFloat32, true},
      {"8gaussians", 20000, 2, kFloat32, true},
      {"swissroll", 5000, 2, kFloat32, false},
      {"checkerboard", 5000, 2, kFloat32, false},
      {"gmm2d", 5000, 2, kFloat32, true},
      {"mixture1d", 5000, 1, kFloat32, true},
      {"hist1d", 1000, 1, kInt64, true},
      {"energy-u1", 16000, 2, kFloat32, false},
      {"energy-u2", 16000, 2, kFloat32, false},
      {"energy-u3", 16000, 2, kFloat32, false},
      {"energy-u4", 16000, 2, kFloat32, false},
      {"energy-ring", 16000, 2, kFloat32, false},
      {"flower-gmm", 25000, 2, kFloat32, true},
      {"gaussian-rotated", 15000, 2, kFloat32, false},
      {"gaussian-aligned", 10000, 2, kFloat32, false},
  };
  std::vector<std::string> names;
  for (const Expect& e : table) names.push_back(e.name);
  REQUIRE(nn::data::toy_dataset_names() == names);
  for (const Expect& e : table) {
    INFO(e.name);
    const nn::data::ToyData d = nn::data::load_toy_dataset(e.name);
    const int64_t n_train = e.n * 4 / 5;
    REQUIRE(d.train.x.shape() == Shape{n_train, e.dim});
    REQUIRE(d.test.x.shape() == Shape{e.n - n_train, e.dim});
    REQUIRE(d.train.x.dtype() == e.dtype);
    REQUIRE(d.test.x.dtype() == e.dtype);
    REQUIRE(d.train.y.defined() == e.labels);
    REQUIRE(d.test.y.defined() == e.labels);
    if (e.labels) {
      REQUIRE(d.train.y.shape() == Shape{n_train});
      REQUIRE(d.test.y.shape() == Shape{e.n - n_train});
      REQUIRE(d.train.y.dtype() == kInt64);
    }
    REQUIRE(d.description.find(e.name) == 0);
    REQUIRE(d.description.find(std::to_string(n_train) + " train") != std::string::npos);
  }
  // A given size: floor(0.8 n) train. moons 20000 is hw5's 16000 / 4000.
  REQUIRE(nn::data::load_toy_dataset("moons", 20000).train.x.size(0) == 16000);
  const nn::data::ToyData seven = nn::data::load_toy_dataset("gmm2d", 7);
  REQUIRE(seven.train.x.size(0) == 5);
  REQUIRE(seven.test.x.size(0) == 2);
}

TEST_CASE("load_toy_dataset: a name and a seed are always the same data; the split is the first 80 %", "[data]") {
  for (const std::string& name : nn::data::toy_dataset_names()) {
    INFO(name);
    const nn::data::ToyData a = nn::data::load_toy_dataset(name, 500, 7), b = nn::data::load_toy_dataset(name, 500, 7);
    const nn::data::ToyData c = nn::data::load_toy_dataset(name, 500, 8);
    REQUIRE(a.train.x.to_vector<double>() == b.train.x.to_vector<double>());
    REQUIRE(a.test.x.to_vector<double>() == b.test.x.to_vector<double>());
    REQUIRE(a.train.x.to_vector<double>() != c.train.x.to_vector<double>());
    REQUIRE(a.test.x.to_vector<double>() != c.test.x.to_vector<double>());
  }
  // moons is make_moons(n, 0.1) from Generator(seed), cut after floor(0.8 n) rows.
  Generator gen(3);
  const nn::data::ToySet full = nn::data::make_moons(100, 0.1, true, &gen);
  const nn::data::ToyData d = nn::data::load_toy_dataset("moons", 100, 3);
  REQUIRE(d.train.x.to_vector<double>() == full.points.narrow(0, 0, 80).to_vector<double>());
  REQUIRE(d.test.x.to_vector<double>() == full.points.narrow(0, 80, 20).to_vector<double>());
  REQUIRE(d.test.y.to_vector<int64_t>() == full.labels.narrow(0, 80, 20).to_vector<int64_t>());
}

TEST_CASE("load_toy_dataset: statistics against closed forms", "[data]") {
  SECTION("mixture1d: 0.7 N(-3,1) + 0.3 N(3,1)") {
    const nn::data::ToyData d = nn::data::load_toy_dataset("mixture1d", 20000, 1);
    const std::vector<double> x = all_x(d);
    const std::vector<int64_t> y = all_y(d);
    const double n = static_cast<double>(x.size());
    // Mean sum pi mu = -1.2; variance sum pi (sigma^2 + mu^2) - mean^2 = 1 + 9 - 1.44 = 8.56.
    const double mu = 0.7 * -3 + 0.3 * 3, var = 1 + 9 - mu * mu;
    // Fourth central moment sum pi (d^4 + 6 d^2 sigma^2 + 3 sigma^4), d = mu_k - mu: the sample variance's spread.
    double m4 = 0;
    for (auto [pi, mk] : {std::pair{0.7, -3.0}, std::pair{0.3, 3.0}}) {
      const double dk = mk - mu;
      m4 += pi * (dk * dk * dk * dk + 6 * dk * dk + 3);
    }
    CHECK(std::fabs(mean_of(x) - mu) < 4 * std::sqrt(var / n));
    CHECK(std::fabs(var_of(x) - var) < 4 * std::sqrt((m4 - var * var) / n));
    const double frac1 = std::count(y.begin(), y.end(), 1) / n;
    CHECK(std::fabs(frac1 - 0.3) < 4 * std::sqrt(0.21 / n));
    // Each point near its component's mean: |x - mu_k| < 6 sigma.
    for (size_t i = 0; i < x.size(); ++i) REQUIRE(std::fabs(x[i] - (y[i] == 0 ? -3.0 : 3.0)) < 6);
  }
  SECTION("8gaussians: centers at radius 2 / 1.414, noise std 0.08 / 1.414") {
    const nn::data::ToyData d = nn::data::load_toy_dataset("8gaussians", 0, 2);
    const std::vector<double> x = all_x(d);
    const std::vector<int64_t> y = all_y(d);
    const double r0 = 2 / 1.414, s = 0.08 / 1.414, pi = std::acos(-1.0);
    double rsum = 0;
    std::vector<int> count(8, 0);
    for (size_t i = 0; i < y.size(); ++i) {
      REQUIRE((y[i] >= 0 && y[i] < 8));
      ++count[y[i]];
      const double cx = r0 * std::cos(y[i] * pi / 4), cy = r0 * std::sin(y[i] * pi / 4);
      REQUIRE(std::hypot(x[2 * i] - cx, x[2 * i + 1] - cy) < 6 * s);
      rsum += std::hypot(x[2 * i], x[2 * i + 1]);
    }
    // E|c + e| = r0 + s^2 / (2 r0) to first order; the radius' std is about s.
    CHECK(std::fabs(rsum / y.size() - (r0 + s * s / (2 * r0))) < 4 * s / std::sqrt(y.size()));
    for (int k = 0; k < 8; ++k) CHECK(std::fabs(count[k] / 20000.0 - 0.125) < 4 * std::sqrt(0.125 * 0.875 / 20000));
  }
  SECTION("moons: half the points on each moon, noise 0.1 around the arcs") {
    const nn::data::ToyData d = nn::data::load_toy_dataset("moons", 0, 4);
    const std::vector<int64_t> y = all_y(d);
    REQUIRE(std::count(y.begin(), y.end(), 0) == 2500);
    const std::vector<int64_t> yt = d.train.y.to_vector<int64_t>();
    CHECK(std::fabs(std::count(yt.begin(), yt.end(), 0) / 4000.0 - 0.5) < 4 * std::sqrt(0.25 / 4000));
    // Moon 0 centred at (0,0), moon 1 at (1,0.5), both of radius 1: the distance to the centre is 1 + O(noise).
    const std::vector<double> x = all_x(d);
    double dev = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      const double r = y[i] == 0 ? std::hypot(x[2 * i], x[2 * i + 1]) : std::hypot(x[2 * i] - 1, x[2 * i + 1] - 0.5);
      dev += (r - 1) * (r - 1);
    }
    CHECK(std::sqrt(dev / y.size()) == Approx(0.1).epsilon(0.1));  // radial noise std is the noise, 0.1
  }
  SECTION("gmm2d: weights 0.1 / 0.9, means -(5,5) / (5,5)") {
    const nn::data::ToyData d = nn::data::load_toy_dataset("gmm2d", 20000, 5);
    const std::vector<double> x = all_x(d);
    const std::vector<int64_t> y = all_y(d);
    const double n = y.size();
    CHECK(std::fabs(std::count(y.begin(), y.end(), 1) / n - 0.9) < 4 * std::sqrt(0.09 / n));
    double sx = 0;
    for (size_t i = 0; i < y.size(); ++i) sx += x[2 * i];
    // Mean 0.1 * -5 + 0.9 * 5 = 4, variance 1 + 25 - 16 = 10.
    CHECK(std::fabs(sx / n - 4.0) < 4 * std::sqrt(10 / n));
  }
  SECTION("hist1d: 100 bins of the clipped 0.5 N(0.2, 0.05^2) + 0.5 N(0.6, 0.15^2)") {
    const nn::data::ToyData d = nn::data::load_toy_dataset("hist1d", 0, 6);
    REQUIRE(d.train.x.size(0) == 800);
    const std::vector<double> x = all_x(d);
    for (double v : x) REQUIRE((v >= 0 && v <= 99 && v == std::floor(v)));
    // floor(100 s) has mean 100 E[s] - 1/2 = 39.5 (clipping moves it by < 0.02); variance 1e4 * 0.0525 + 1/12.
    CHECK(std::fabs(mean_of(x) - 39.5) < 4 * std::sqrt(525.1 / x.size()));
    // Component 0 (0.2 ± 0.05) lies in bins 0..49 up to 6 sigma, and its mean bin is 100 * 0.2 - 1/2.
    const std::vector<int64_t> y = all_y(d);
    for (size_t i = 0; i < y.size(); ++i)
      if (y[i] == 0) REQUIRE(x[i] < 50);
    double m0 = 0, n0 = 0;
    for (size_t i = 0; i < y.size(); ++i) m0 += y[i] == 0 ? x[i] : 0, n0 += y[i] == 0;
    CHECK(std::fabs(m0 / n0 - 19.5) < 4 * std::sqrt(25.1 / n0));
  }
  SECTION("checkerboard: every point on a dark square") {
    const std::vector<double> x = all_x(nn::data::load_toy_dataset("checkerboard", 0, 9));
    for (size_t i = 0; i < x.size(); i += 2) {
      REQUIRE((x[i] >= -4 && x[i] < 4 && x[i + 1] >= -4 && x[i + 1] < 4));
      REQUIRE(static_cast<int64_t>(std::floor(x[i] / 2) + std::floor(x[i + 1] / 2)) % 2 == 0);
    }
  }
}

TEST_CASE("load_toy_dataset: an unknown name lists the known ones", "[data]") {
  REQUIRE_THROWS_AS(nn::data::load_toy_dataset("moon"), Error);
  REQUIRE_THROWS_WITH(nn::data::load_toy_dataset("moon"),
                      Catch::Contains("load_toy_dataset") && Catch::Contains("'moon'") &&
                          Catch::Contains("moons, circles, 8gaussians") && Catch::Contains("hist1d"));
  REQUIRE_THROWS_WITH(nn::data::load_toy_dataset("moons", -1), Catch::Contains("size must be non-negative"));
}

TEST_CASE("load_toy_dataset: seminar 5's Gaussians have mean [2,3] and covariance [[5,4],[4,5]] / diag(9,1)",
          "[data]") {
  // Closed forms: x = [2,3] + (eps * [3,1]) R, cov = R^T diag(9,1) R = [[5,4],[4,5]] for the 45-degree R, diag(9,1)
  // without it. 40000 points: the standard error of a variance near 9 is 9 sqrt(2/n) = 0.064, so 0.25 is ~4 sigma.
  for (const auto& [name, c01] :
       std::vector<std::pair<std::string, double>>{{"gaussian-rotated", 4.0}, {"gaussian-aligned", 0.0}}) {
    INFO(name);
    const std::vector<double> v = nn::data::load_toy_dataset(name, 40000, 2).train.x.to_vector<double>();
    std::vector<double> a, b;
    for (size_t i = 0; i < v.size(); i += 2) {
      a.push_back(v[i]);
      b.push_back(v[i + 1]);
    }
    const double ma = mean_of(a), mb = mean_of(b);
    double cab = 0;
    for (size_t i = 0; i < a.size(); ++i) cab += (a[i] - ma) * (b[i] - mb);
    cab /= static_cast<double>(a.size() - 1);
    CHECK(std::abs(ma - 2.0) < 0.07);  // se 3 / sqrt(32000) = 0.017
    CHECK(std::abs(mb - 3.0) < 0.07);
    CHECK(std::abs(var_of(a) - (c01 == 0 ? 9.0 : 5.0)) < 0.25);
    CHECK(std::abs(var_of(b) - (c01 == 0 ? 1.0 : 5.0)) < 0.25);
    CHECK(std::abs(cab - c01) < 0.25);
  }
}
