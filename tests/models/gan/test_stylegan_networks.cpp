// MicroStyleGAN's generator and discriminator (seminar 7): shapes at every stage of the progressive growing, the
// fade-in at alpha 0 and 1 on both sides, and R1 on the discriminator (a double backward through convolutions,
// LeakyReLU, average pooling and the fade-in) against float64 central differences.
#include <cmath>

#include "models/gan/penalties.h"
#include "models/gan/stylegan.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::gan;

namespace {

MicroStyleGANGeneratorOptions small_generator() {
  MicroStyleGANGeneratorOptions o;
  o.z_dim = 4;
  o.map_hidden_dim = 8;
  o.w_dim = 5;
  o.channels = {6, 5, 4, 3};
  o.image_channels = 1;
  return o;
}

void add_to(const Tensor& parameter, double value) {
  NoGradGuard no_grad;
  Tensor t = parameter;
  t.add_(value);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  REQUIRE(x.size() == y.size());
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

}  // namespace

TEST_CASE("the StyleGAN generator and discriminator have the right shapes at every stage", "[gan][stylegan]") {
  manual_seed(1);
  MicroStyleGANGenerator g(small_generator());
  MicroStyleGANDiscriminator d({6, 5, 4, 3}, 1);
  REQUIRE(g.stages() == 4);
  CHECK(g.blocks->size() == 8);  // 2 blocks per stage
  Tensor z = randn({3, 4});
  for (int64_t stage = 0; stage < 4; ++stage)
    for (double alpha : {0.0, 0.5, 1.0}) {
      if (stage == 0 && alpha < 1) continue;
      INFO("stage " << stage << " alpha " << alpha);
      const int64_t res = 4 << stage;
      Tensor x = g.forward(z, stage, alpha);
      REQUIRE(x.shape() == Shape{3, 1, res, res});
      for (double v : x.to_vector<double>()) REQUIRE(std::fabs(v) <= 1.0);  // tanh outputs and their mixes
      REQUIRE(d.forward(x, stage, alpha).shape() == Shape{3, 1});
    }
  CHECK_THROWS_WITH(g.forward(z, 4, 1.0), Catch::Contains("MicroStyleGANGenerator: stage 4 is not in [0, 4)"));
  CHECK_THROWS_WITH(g.forward(z, 1, 1.5), Catch::Contains("alpha must be in [0, 1], got 1.5"));
  CHECK_THROWS_WITH(
      d.forward(zeros({3, 1, 16, 16}), 1, 1.0),
      Catch::Contains("MicroStyleGANDiscriminator: stage 1 expects images (B, 1, 8, 8), got (3,1,16,16)"));
}

TEST_CASE("generator fade-in: alpha 0 is the previous stage upsampled, alpha 1 the new stage", "[gan][stylegan]") {
  manual_seed(2);
  MicroStyleGANGenerator g(small_generator());
  g.to(kFloat64);
  Tensor z = randn({2, 4}, TensorOptions(kFloat64));
  for (int64_t stage = 1; stage < 4; ++stage) {
    INFO("stage " << stage);
    // The same noise maps: the previous stage's blocks draw theirs first from the same seed.
    auto at = [&](int64_t s, double alpha) {
      Generator gen(17);
      return g.forward(z, s, alpha, &gen);
    };
    Tensor previous = at(stage - 1, 1.0);
    Tensor upsampled = upsample_bilinear2d(previous, std::nullopt, false, Scale2(2.0));
    CHECK(max_abs_diff(at(stage, 0.0), upsampled) <= 1e-12);
    // alpha = 1 does not read the previous stage's to_rgb; alpha = 0.3 is the linear mix of the two ends
    Tensor new_stage = at(stage, 1.0);
    CHECK(max_abs_diff(at(stage, 0.3), 0.3 * new_stage + 0.7 * upsampled) <= 1e-12);
    add_to(g.to_rgb->at<nn::Conv2d>(stage - 1)->bias, 0.25);
    CHECK(max_abs_diff(at(stage, 1.0), new_stage) == 0);
    CHECK(max_abs_diff(at(stage, 0.0), upsampled) > 1e-3);  // while alpha 0 does read it
  }
}

TEST_CASE("discriminator fade-in: alpha 0 reads the pooled image at the previous stage, alpha 1 the new path",
          "[gan][stylegan]") {
  manual_seed(3);
  MicroStyleGANDiscriminator d({6, 5, 4, 3}, 1);
  d.to(kFloat64);
  for (int64_t stage = 1; stage < 4; ++stage) {
    INFO("stage " << stage);
    const int64_t res = 4 << stage;
    Tensor x = test::uniform_values({2, 1, res, res}, -1, 1, 30 + stage);
    // alpha 0: D(x) at stage s is D(avg_pool2d(x, 2)) at stage s - 1, alpha 1
    CHECK(max_abs_diff(d.forward(x, stage, 0.0), d.forward(avg_pool2d(x, 2), stage - 1, 1.0)) <= 1e-12);
    Tensor full = d.forward(x, stage, 1.0);
    add_to(d.from_rgb->at<nn::Conv2d>(stage - 1)->bias, 0.25);
    CHECK(max_abs_diff(d.forward(x, stage, 1.0), full) == 0);  // the skip is not read at alpha 1
  }
}

TEST_CASE("R1 on the StyleGAN discriminator: its weight gradient against central differences (float64)",
          "[gan][stylegan][penalty]") {
  manual_seed(4);
  MicroStyleGANDiscriminator d({3, 2}, 1);  // stages 4x4 and 8x8
  d.to(kFloat64);
  Tensor real = test::uniform_values({2, 1, 8, 8}, -1, 1, 40);
  const double alpha = 0.5;  // both sides of the fade-in
  auto r1 = [&] { return r1_penalty([&](const Tensor& x) { return d.forward(x, 1, alpha); }, real); };
  for (const auto& [name, p] : d.named_parameters()) {
    INFO("parameter " << name);
    d.zero_grad();
    r1().backward();
    // the last bias does not reach the input gradient: no gradient, and central differences of 0
    std::vector<double> analytic =
        p.grad().defined() ? p.grad().to_vector<double>() : std::vector<double>(static_cast<size_t>(p.numel()), 0.0);
    Tensor flat = p.view({p.numel()});
    const double h = 1e-6;
    for (int64_t k = 0; k < p.numel(); k += std::max<int64_t>(1, p.numel() / 7)) {  // a few entries of each
      const double base = flat.narrow(0, k, 1).item<double>();
      auto at = [&](double v) {
        NoGradGuard no_grad;
        flat.narrow(0, k, 1).fill_(v);
      };
      at(base + h);
      const double fp = r1().item<double>();
      at(base - h);
      const double fm = r1().item<double>();
      at(base);
      const double numeric = (fp - fm) / (2 * h);
      INFO("element " << k << ": analytic " << analytic[static_cast<size_t>(k)] << ", central " << numeric);
      CHECK(std::fabs(analytic[static_cast<size_t>(k)] - numeric) <= 1e-6 + 1e-5 * std::fabs(numeric));
    }
  }
}
