// MicroStyleGAN's parts (seminar 7) against hand computations, closed forms and PyTorch: the mapping MLP, the
// truncation trick (truncated normal moments, w-mean scaling), InjectNoise, AdaIN and the progressive schedule.
#include <cmath>

#include "models/gan/stylegan_adain.h"
#include "models/gan/stylegan_mapping.h"
#include "models/gan/stylegan_noise.h"
#include "models/gan/stylegan_schedule.h"
#include "models/gan/stylegan_truncation.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::gan;

namespace {

void set_values(const Tensor& parameter, const std::vector<double>& values) {
  NoGradGuard no_grad;
  Tensor t = parameter;
  t.copy_(tensor(values, parameter.shape()));
}

}  // namespace

TEST_CASE("MappingLayers maps z (B, z_dim) to w (B, w_dim) through ReLU hidden layers", "[gan][stylegan]") {
  MappingLayers m(4, 8, 3);
  REQUIRE(m.forward(randn({5, 4})).shape() == Shape{5, 3});
  CHECK(m.parameters().size() == 6);  // three Linear layers, weight and bias each
  // With every weight and bias zeroed but the last bias, w is that bias whatever z (hand value).
  for (const Tensor& p : m.parameters()) set_values(p, std::vector<double>(p.numel(), 0.0));
  set_values(m.parameters().back(), {0.5, -1, 2});
  test::check_values(m.forward(randn({2, 4})), {0.5, -1, 2, 0.5, -1, 2}, 0, 0);
  CHECK_THROWS_WITH(m.forward(randn({5, 3})), Catch::Contains("MappingLayers: expected z of shape (B, 4)"));
}

TEST_CASE("truncated normal draws lie inside the bound with the closed-form variance", "[gan][stylegan]") {
  // Var of N(0,1) truncated to [-b, b] = 1 - 2 b phi(b) / (2 Phi(b) - 1); values from scipy.stats.truncnorm(-b, b)
  // .var(): b = 0.5 -> 0.08058915460081173, b = 1 -> 0.291125094772793, b = 2 -> 0.7737413035499232.
  const std::vector<std::pair<double, double>> cases = {
      {0.5, 0.08058915460081173}, {1.0, 0.291125094772793}, {2.0, 0.7737413035499232}};
  for (const auto& [bound, variance] : cases) {
    INFO("bound " << bound);
    Generator gen(3);
    const int64_t n = 200000;
    std::vector<double> v = truncated_normal({n / 100, 100}, bound, &gen).to_vector<double>();
    REQUIRE(v.size() == static_cast<size_t>(n));
    double sum = 0, sum2 = 0, largest = 0;
    for (double x : v) {
      sum += x;
      sum2 += x * x;
      largest = std::max(largest, std::fabs(x));
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    CHECK(largest <= bound);
    // 5 standard errors: sd(mean) = sqrt(var / n) <= 2e-3, sd(var) = sqrt((m4 - var^2) / n) <= 2.4e-3 (m4 from
    // scipy's truncnorm(-2, 2).moment(4) = 1.416, the largest of the three)
    CHECK(std::fabs(mean) <= 5 * std::sqrt(variance / n));
    CHECK(std::fabs(var - variance) <= 5 * std::sqrt((1.4162 - variance * variance) / n));
  }
  CHECK(truncated_normal({2, 3}, 1.0, nullptr, TensorOptions(kFloat64)).dtype() == kFloat64);
  CHECK_THROWS_WITH(truncated_normal({2}, 0.0), Catch::Contains("truncated_normal: the bound must be positive"));
}

TEST_CASE("w-mean truncation: psi 0 gives w_mean, psi 1 gives w, psi between interpolates", "[gan][stylegan]") {
  Tensor w = test::uniform_values({3, 2}, -2, 2, 5);
  Tensor w_mean = tensor(std::vector<double>{0.5, -1}, {2});
  std::vector<double> wv = w.to_vector<double>();
  test::check_values(truncate_w(w, w_mean, 0.0), {0.5, -1, 0.5, -1, 0.5, -1}, 1e-15, 0);
  test::check_values(truncate_w(w, w_mean, 1.0), wv, 1e-15, 0);
  // psi = 0.7: w_mean + 0.7 (w - w_mean), element by element (hand formula)
  std::vector<double> expected;
  for (size_t i = 0; i < wv.size(); ++i) {
    const double m = i % 2 == 0 ? 0.5 : -1;
    expected.push_back(m + 0.7 * (wv[i] - m));
  }
  test::check_values(truncate_w(w, w_mean, 0.7), expected, 1e-14, 0);
  CHECK_THROWS_WITH(truncate_w(w, zeros({3}, kFloat64), 0.5), Catch::Contains("truncate_w: expected w (B, w_dim)"));
}

TEST_CASE("InjectNoise adds one N(0,1) map per example, scaled per channel", "[gan][stylegan]") {
  InjectNoise noise(3);
  REQUIRE(noise.weight.shape() == Shape{1, 3, 1, 1});
  set_values(noise.weight, {1, 2, -3});
  Tensor x = test::uniform_values({2, 3, 4, 5}, -1, 1, 9).to(kFloat32);
  Generator gen(11);
  Tensor d = (noise.forward(x, &gen) - x).to(kFloat64);
  // channel c's added map is weight_c times the same map: d[:, 1] = 2 d[:, 0], d[:, 2] = -3 d[:, 0]
  Tensor map = d.narrow(1, 0, 1);
  test::check_values(d.narrow(1, 1, 1), (2.0 * map).to_vector<double>(), 1e-5, 1e-5);
  test::check_values(d.narrow(1, 2, 1), (-3.0 * map).to_vector<double>(), 1e-5, 1e-5);
  // the map has 2 * 20 values; they are not all equal (fresh noise per pixel and example)
  std::vector<double> m = map.to_vector<double>();
  CHECK(std::fabs(m[0] - m[1]) > 0);
  CHECK(std::fabs(m[0] - m[20]) > 0);
  // a zero weight injects nothing
  set_values(noise.weight, {0, 0, 0});
  test::check_values(noise.forward(x, &gen), x.to_vector<double>(), 0, 0);
  CHECK_THROWS_WITH(noise.forward(zeros({2, 4, 4, 4})), Catch::Contains("InjectNoise: expected (B, 3, H, W)"));
  // init_std 0: the StyleGAN paper's zero noise strengths at the start
  test::check_values(InjectNoise(3, 0.0).weight, {0, 0, 0}, 0, 0);
}

TEST_CASE("AdaIN is the style scale times the instance-normalized x plus the style shift", "[gan][stylegan]") {
  AdaIN adain(2, 3);
  adain.to(kFloat64);
  set_values(adain.style_scale_transform->weight, {0.5, 0, 0, 0, 1, 0});
  set_values(adain.style_scale_transform->bias, {1, 0});
  set_values(adain.style_shift_transform->weight, {0, 0, 1, 1, 0, 0});
  set_values(adain.style_shift_transform->bias, {0, 0.5});
  Tensor x = tensor(std::vector<double>{1, 2, 3, 4, 0, 0, 2, -2}, {1, 2, 2, 2});
  Tensor w = tensor(std::vector<double>{1, -1, 2}, {1, 3});
  // By hand: scale = (1.5, -1), shift = (2, 1.5); channel 0 has mean 2.5 and biased variance 1.25, channel 1 mean 0
  // and variance 2; out = scale (x - mean) / sqrt(var + 1e-5) + shift. The numbers are PyTorch's:
  // s[:, :, None, None] * F.instance_norm(x, eps=1e-5) + t[:, :, None, None] in float64.
  test::check_values(adain.forward(x, w),
                     {-0.01245312995339054, 1.3291822900155363, 2.670817709984463, 4.01245312995339, 1.5, 1.5,
                      0.08578997314755266, 2.914210026852447},
                     1e-12, 1e-12);
  CHECK_THROWS_WITH(adain.forward(x, zeros({2, 3}, kFloat64)), Catch::Contains("AdaIN: expected x (B, 2, H, W)"));
}

TEST_CASE("the progressive schedule: stage 0, then fade-in and stable phases per stage", "[gan][stylegan]") {
  ProgressiveSchedule s;
  s.stages = 4;
  s.stage_steps = 3;
  s.fade_steps = 2;
  // By hand: steps 0-2 stage 0; 3 fades into stage 1 (alpha 1/2), 4 ends the fade (alpha 1), 5-7 stage 1 stable;
  // 8-9 fade into stage 2, 10-12 stable; 13-14 fade into stage 3, then stage 3 for ever.
  const std::vector<std::tuple<int64_t, int64_t, double>> expected = {
      {0, 0, 1}, {2, 0, 1},  {3, 1, 0.5},  {4, 1, 1},  {7, 1, 1},     {8, 2, 0.5},
      {9, 2, 1}, {12, 2, 1}, {13, 3, 0.5}, {14, 3, 1}, {100000, 3, 1}};
  for (const auto& [step, stage, alpha] : expected) {
    INFO("step " << step);
    Progress p = progress_at(s, step);
    CHECK(p.stage == stage);
    CHECK(p.alpha == alpha);
    CHECK(p.resolution() == (4 << stage));
  }
  s.fade_steps = 4;  // alpha (k + 1) / 4 at the k-th fade step
  CHECK(progress_at(s, 3).alpha == 0.25);
  CHECK(progress_at(s, 5).alpha == 0.75);
  s.stages = 1;  // one stage: 4x4 for ever
  CHECK(progress_at(s, 50).stage == 0);
  CHECK_THROWS_WITH(progress_at(s, -1), Catch::Contains("progress_at"));
}
