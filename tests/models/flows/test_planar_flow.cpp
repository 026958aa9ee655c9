// Planar and radial flows (seminars 2-3), the PlanarFlow model and the
// Rezende-Mohamed energies, against hand derivations, closed forms and
// float64 quadrature written here.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/flows/planar_flow.h"
#include "models/flows/planar_flow_model.h"
#include "models/flows/radial_flow.h"
#include "nn/data/energies.h"
#include "nn/data/toy_datasets.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

constexpr double kPi = 3.14159265358979323846;

double softplus_d(double x) { return std::log1p(std::exp(x)); }

void set(Tensor& param, const std::vector<double>& values) {
  NoGradGuard no_grad;
  param.copy_(tensor(values, {static_cast<int64_t>(values.size())}));
}

// The energies of Rezende & Mohamed 2015 Table 1, written out again in plain doubles, without and with the wall
// 1/2 sum_i (max(|z_i| - 4, 0) / 0.5)^2.
double table_energy_ref(const std::string& name, double z1, double z2) {
  const double w1 = std::sin(2 * kPi * z1 / 4), w2 = 3 * std::exp(-0.5 * std::pow((z1 - 1) / 0.6, 2));
  const double w3 = 3 / (1 + std::exp(-(z1 - 1) / 0.3));
  const double ring = 0.5 * std::pow((std::hypot(z1, z2) - 2) / 0.4, 2);
  auto bump = [](double t, double s) { return std::exp(-0.5 * (t / s) * (t / s)); };
  if (name == "u1") return ring - std::log(bump(z1 - 2, 0.6) + bump(z1 + 2, 0.6));
  if (name == "u2") return 0.5 * std::pow((z2 - w1) / 0.4, 2);
  if (name == "u3") return -std::log(bump(z2 - w1, 0.35) + bump(z2 - w1 + w2, 0.35));
  if (name == "u4") return -std::log(bump(z2 - w1, 0.4) + bump(z2 - w1 + w3, 0.35));
  return ring;
}

double energy_ref(const std::string& name, double z1, double z2) {
  auto wall = [](double t) { return std::fabs(t) > 4 ? 0.5 * std::pow((std::fabs(t) - 4) / 0.5, 2) : 0.0; };
  return table_energy_ref(name, z1, z2) + wall(z1) + wall(z2);
}

// Midpoint-rule integrals of exp(-U) (1, z1, z2) over [-8,8]^2 with n x n cells.
std::array<double, 3> energy_moments(const std::string& name, int n) {
  const double h = 16.0 / n;
  std::array<double, 3> m{0, 0, 0};
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double z1 = -8 + (j + 0.5) * h, z2 = -8 + (i + 0.5) * h, p = std::exp(-energy_ref(name, z1, z2)) * h * h;
      m[0] += p;
      m[1] += p * z1;
      m[2] += p * z2;
    }
  return m;
}

}  // namespace

TEST_CASE("planar flow: seminar 2's demo w = [5,0], u = [1,1], b = 0 by hand", "[flows][planar]") {
  PlanarTransform layer(2);
  layer.to(kFloat64);
  set(layer.w, {5, 0});
  set(layer.u, {1, 1});
  set(layer.b, {0});
  // u_hat = u + (softplus(5) - 1 - 5) w / 25: only the first coordinate moves; w^T u_hat = softplus(5) - 1.
  const double m = softplus_d(5) - 1, uh0 = 1 + (m - 5) * 5 / 25;
  test::check_values(layer.u_hat(), {uh0, 1}, 1e-14, 1e-14);
  // At x = (0.1, -0.3): w^T x + b = 0.5, f(x) = x + u_hat tanh(0.5), det = 1 + (1 - tanh(0.5)^2) w^T u_hat.
  const double t = std::tanh(0.5);
  FlowOutput out = layer.flow(tensor(std::vector<double>{0.1, -0.3}, {1, 2}));
  test::check_values(out.z, {0.1 + uh0 * t, -0.3 + t}, 1e-14, 1e-14);
  test::check_values(out.log_det, {std::log(1 + (1 - t * t) * m)}, 1e-14, 1e-14);
  // The inverse brings f(x) back to x in float64.
  FlowOutput back = layer.inverse(out.z);
  test::check_values(back.z, {0.1, -0.3}, 1e-12, 0);
  test::check_values(back.log_det, {-std::log(1 + (1 - t * t) * m)}, 1e-12, 0);
}

TEST_CASE("planar flow: u_hat keeps w^T u_hat = softplus(w^T u) - 1 >= -1 for adversarial u", "[flows][planar]") {
  PlanarTransform layer(3);
  layer.to(kFloat64);
  set(layer.w, {0.3, -1.2, 0.7});
  const double ww = 0.09 + 1.44 + 0.49;
  for (double target : {-1.0, -3.0, -40.0, 2.0}) {
    INFO("w^T u = " << target);
    // u = target w / |w|^2 + a component orthogonal to w ((1.2, 0.3, 0) . w = 0).
    set(layer.u, {target * 0.3 / ww + 1.2, target * -1.2 / ww + 0.3, target * 0.7 / ww});
    const double wu_hat = (layer.w * layer.u_hat()).sum().item();
    // softplus(-40) = 4e-18 is below double's resolution at -1: there w^T u_hat is -1 up to rounding.
    CHECK(wu_hat >= -1 - 1e-12);
    if (target > -40) CHECK(wu_hat > -1);
    CHECK(wu_hat == Approx(softplus_d(target) - 1).margin(1e-12));
    // Still invertible: the round trip holds on points spread along w.
    set(layer.b, {0.2});
    Tensor x = test::uniform_values({64, 3}, -4, 4, 5);
    NoGradGuard no_grad;
    FlowOutput out = layer.flow(x);
    if (target > -40) CHECK((layer.inverse(out.z).z - x).abs().max().item() < 1e-9);
  }
}

TEST_CASE("radial flow: seminar 2's demo z0 = 0, alpha = 1, beta = 5 by hand", "[flows][planar]") {
  RadialTransform layer(2);
  layer.to(kFloat64);
  set(layer.z0, {0, 0});
  set(layer.a, {std::log(std::exp(1.0) - 1)});  // softplus(a) = 1
  set(layer.b, {std::log(std::exp(6.0) - 1)});  // softplus(b) = 6: beta = -1 + 6 = 5
  test::check_values(layer.alpha(), {1}, 1e-14, 1e-14);
  test::check_values(layer.beta(), {5}, 1e-13, 1e-13);
  // At x = (0.6, 0.8): r = 1, h = 1/2, f(x) = 3.5 x. Across the radius the scale is 1 + beta h = 3.5; along it
  // d/dr [r (1 + 5 / (1 + r))] = 1 + 5/2 - 5/4 = 2.25: det = 3.5 * 2.25 = 7.875.
  FlowOutput out = layer.flow(tensor(std::vector<double>{0.6, 0.8}, {1, 2}));
  test::check_values(out.z, {2.1, 2.8}, 1e-13, 1e-13);
  test::check_values(out.log_det, {std::log(7.875)}, 1e-13, 1e-13);
  test::check_values(layer.inverse(out.z).z, {0.6, 0.8}, 1e-13, 0);
  // In 3-D the across-radius factor counts twice: det = 3.5^2 * 2.25.
  RadialTransform layer3(3);
  layer3.to(kFloat64);
  set(layer3.z0, {0, 0, 0});
  set(layer3.a, {std::log(std::exp(1.0) - 1)});
  set(layer3.b, {std::log(std::exp(6.0) - 1)});
  test::check_values(layer3.flow(tensor(std::vector<double>{0.0, 0.6, 0.8}, {1, 3})).log_det,
                     {std::log(3.5 * 3.5 * 2.25)}, 1e-13, 1e-13);
}

TEST_CASE("planar and radial inverses: gradients by autograd match finite differences (float64)", "[flows][planar]") {
  Generator gen(3);
  const Tensor y = randn({4, 2}, kFloat64, &gen);
  SECTION("planar") {
    auto layer = std::make_shared<PlanarTransform>(2);
    layer->to(kFloat64);
    auto f = [layer](const std::vector<Tensor>& in) {
      layer->w = in[0];
      layer->u = in[1];
      layer->b = in[2];
      FlowOutput out = layer->inverse(in[3]);
      return test::wsum(out.z) + test::wsum(out.log_det);
    };
    REQUIRE_GRADCHECK(
        f, (std::vector<Tensor>{tensor(std::vector<double>{0.8, -0.5}).requires_grad_(),
                                tensor(std::vector<double>{-0.4, 1.1}).requires_grad_(),
                                tensor(std::vector<double>{0.3}).requires_grad_(), y.clone().requires_grad_()}));
  }
  SECTION("radial") {
    auto layer = std::make_shared<RadialTransform>(2);
    layer->to(kFloat64);
    auto f = [layer](const std::vector<Tensor>& in) {
      layer->z0 = in[0];
      layer->a = in[1];
      layer->b = in[2];
      FlowOutput out = layer->inverse(in[3]);
      return test::wsum(out.z) + test::wsum(out.log_det);
    };
    REQUIRE_GRADCHECK(
        f, (std::vector<Tensor>{tensor(std::vector<double>{0.2, -0.1}).requires_grad_(),
                                tensor(std::vector<double>{0.4}).requires_grad_(),
                                tensor(std::vector<double>{-0.9}).requires_grad_(), y.clone().requires_grad_()}));
  }
}

TEST_CASE("energies: values by hand and from the written-out formulas, gradients by finite differences",
          "[flows][planar][data]") {
  auto at = [](const std::string& name, double z1, double z2) {
    return nn::data::energy(name, tensor(std::vector<double>{z1, z2}, {1, 2})).item();
  };
  // By hand: on the ring |z| = 2 of U1 at (2, 0) only -log(1 + exp(-1/2 (4/0.6)^2)) remains; U2 vanishes on the
  // wave z2 = sin(pi z1 / 2); ring at (0, 3): 1/2 (1/0.4)^2 = 3.125; U4 at (1, 1): w1 = 1, w3 = 1.5.
  CHECK(at("u1", 2, 0) == Approx(-std::log1p(std::exp(-0.5 * std::pow(4 / 0.6, 2)))).margin(1e-15));
  CHECK(at("u2", 1, 1) == Approx(0).margin(1e-15));
  CHECK(at("u2", 1.0 / 3, 0.5) == Approx(0).margin(1e-15));
  CHECK(at("ring", 0, 3) == Approx(3.125).epsilon(1e-14));
  CHECK(at("u4", 1, 1) == Approx(-std::log1p(std::exp(-0.5 * std::pow(1.5 / 0.35, 2)))).epsilon(1e-12));
  // The wall: U2 at (4.3, sin(2.15 pi)) is 0 + 1/2 (0.3 / 0.5)^2 = 0.18.
  CHECK(at("u2", 4.3, std::sin(2 * kPi * 4.3 / 4)) == Approx(0.18).epsilon(1e-12));
  CHECK(table_energy_ref("u2", 4.3, std::sin(2 * kPi * 4.3 / 4)) == Approx(0).margin(1e-15));
  // The last two lie beyond the wall's start: U plus 1/2 (0.3/0.5)^2 = 0.18 and 1/2 ((0.2/0.5)^2 + (0.5/0.5)^2) = 0.58.
  const std::vector<std::array<double, 2>> points = {{0.3, -1.1},  {-2.2, 0.4}, {1.7, 2.5},
                                                     {-0.6, -3.1}, {4.3, 0.2},  {-4.2, 4.5}};
  for (const std::string& name : nn::data::energy_names()) {
    for (const auto& p : points) {
      INFO(name << " at (" << p[0] << ", " << p[1] << ")");
      CHECK(at(name, p[0], p[1]) == Approx(energy_ref(name, p[0], p[1])).epsilon(1e-12));
      // d U / d z against central differences of the plain-double formula.
      Tensor g = test::grad_of(tensor(std::vector<double>{p[0], p[1]}, {1, 2}),
                               [&](const Tensor& z) { return nn::data::energy(name, z).sum(); });
      const double e = 1e-6;
      const double g1 = (energy_ref(name, p[0] + e, p[1]) - energy_ref(name, p[0] - e, p[1])) / (2 * e);
      const double g2 = (energy_ref(name, p[0], p[1] + e) - energy_ref(name, p[0], p[1] - e)) / (2 * e);
      test::check_values(g, {g1, g2}, 1e-6, 1e-6);
    }
  }
}

TEST_CASE("energies: log Z by quadrature against a closed form and an independent grid", "[flows][planar][data]") {
  // The ring (its mass beyond the wall is beyond 5 sigma):
  //   Z = integral of exp(-1/2 ((r - 2)/0.4)^2) 2 pi r dr = 2 pi * 2 * 0.4 sqrt(2 pi)
  // (the mass cut by r < 0 and by the box's corners lies beyond 5 sigma).
  CHECK(nn::data::energy_log_normalizer("ring") ==
        Approx(std::log(2 * kPi * 2 * 0.4 * std::sqrt(2 * kPi))).epsilon(1e-6));
  for (const std::string& name : {"u1", "u2", "u3", "u4"}) {
    INFO(name);
    CHECK(nn::data::energy_log_normalizer(name) == Approx(std::log(energy_moments(name, 1600)[0])).epsilon(1e-5));
  }
}

TEST_CASE("energy toy sets: exact rejection samples, whose means match quadrature of exp(-U)/Z",
          "[flows][planar][data]") {
  for (const std::string& name : {"u3", "u4", "u1"}) {
    INFO(name);
    const nn::data::ToyData d = nn::data::load_toy_dataset("energy-" + name, 20000, 1);
    const Tensor x = cat({d.train.x, d.test.x}, 0).to(kFloat64);
    REQUIRE(x.abs().max().item() <= 8.0);
    const std::array<double, 3> m = energy_moments(name, 800);
    const std::vector<double> mean = x.mean({0}).to_vector<double>(), sd = x.std({0}).to_vector<double>();
    const double n = static_cast<double>(x.size(0));
    // Within 4 standard errors of the exact means.
    CHECK(std::fabs(mean[0] - m[1] / m[0]) < 4 * sd[0] / std::sqrt(n));
    CHECK(std::fabs(mean[1] - m[2] / m[0]) < 4 * sd[1] / std::sqrt(n));
  }
}

TEST_CASE("PlanarFlow: q integrates to 1 and its samples have q's mean, in both directions", "[flows][planar]") {
  for (const std::string& energy : {"", "ring"}) {
    for (const std::string& kind : {"planar", "radial"}) {
      INFO(kind << (energy.empty() ? " forward KL (layers x -> z)" : " reverse KL (layers z -> x)"));
      manual_seed(7);
      PlanarFlow flow(kind, 2, 4, energy);
      flow.to(kFloat64);
      {
        // Weights of order one, so the density is far from N(0, I).
        NoGradGuard no_grad;
        Generator gen(11);
        for (Tensor& p : flow.parameters()) p.copy_(randn(p.shape(), kFloat64, &gen) * 0.8);
      }
      NoGradGuard no_grad;
      // Midpoint rule on [-9, 9]^2.
      const int64_t n = 360;
      const double h = 18.0 / n;
      const Tensor c = arange(0, n, 1, kFloat64) * h + (-9 + h / 2);
      const Tensor grid =
          stack({c.unsqueeze(0).expand({n, n}).reshape({-1}), c.unsqueeze(1).expand({n, n}).reshape({-1})}, 1);
      const Tensor q = exp(flow.log_prob(grid)) * (h * h);
      CHECK(q.sum().item() == Approx(1).margin(2e-3));
      const std::vector<double> mean = (grid * q.unsqueeze(1)).sum({0}).to_vector<double>();
      Generator gen(5);
      const Tensor s = flow.sample(40000, &gen);
      const std::vector<double> s_mean = s.mean({0}).to_vector<double>(), s_sd = s.std({0}).to_vector<double>();
      CHECK(std::fabs(s_mean[0] - mean[0]) < 4 * s_sd[0] / 200 + 2e-3);
      CHECK(std::fabs(s_mean[1] - mean[1]) < 4 * s_sd[1] / 200 + 2e-3);
    }
  }
}

TEST_CASE("PlanarFlow: the losses are the change-of-variables formulas", "[flows][planar]") {
  manual_seed(3);
  PlanarFlow forward_kl("planar", 2, 3);
  forward_kl.to(kFloat64);
  const Tensor x = test::uniform_values({5, 2}, -1, 1, 9);
  // Forward KL: -mean log p(x), log p(x) = log N(f(x)) + log|det|.
  FlowOutput zx = forward_kl.to_noise(x);
  const Tensor log_p = -0.5 * zx.z.square().sum({1}) - std::log(2 * kPi) + zx.log_det;
  CHECK(forward_kl.loss(x).at("loss").item() == Approx(-log_p.mean().item()).epsilon(1e-12));
  // Reverse KL: the draws z0 come from the default generator; kl = loss + log Z.
  PlanarFlow reverse_kl("planar", 2, 3, "u2");
  reverse_kl.to(kFloat64);
  manual_seed(21);
  models::Losses l = reverse_kl.loss(x);
  manual_seed(21);
  const Tensor z0 = randn({5, 2}, kFloat64);
  FlowOutput xz = reverse_kl.to_data(z0);
  const Tensor expected =
      (-0.5 * z0.square().sum({1}) - std::log(2 * kPi) - xz.log_det + nn::data::energy("u2", xz.z)).mean();
  CHECK(l.at("loss").item() == Approx(expected.item()).epsilon(1e-12));
  CHECK(l.at("kl").item() == Approx(expected.item() + nn::data::energy_log_normalizer("u2")).epsilon(1e-12));
  // outside_box: the share of the draws x with max(|x1|, |x2|) > 4.
  int64_t outside = 0;
  const std::vector<double> xs = xz.z.to_vector<double>();
  for (size_t i = 0; i < 5; ++i) outside += std::max(std::fabs(xs[2 * i]), std::fabs(xs[2 * i + 1])) > 4;
  CHECK(l.at("outside_box").item() == Approx(outside / 5.0).margin(1e-15));
}

TEST_CASE("planar flows: bad input is a clear error", "[flows][planar]") {
  using Catch::Contains;
  PlanarTransform planar(2);
  RadialTransform radial(2);
  const Tensor wrong = zeros({3, 3});
  CHECK_THROWS_WITH(planar.flow(wrong), Contains("PlanarTransform.forward: expected points of shape (B,2), got (3,3)"));
  CHECK_THROWS_WITH(planar.inverse(zeros({4})), Contains("PlanarTransform.inverse: expected points of shape (B,2)"));
  CHECK_THROWS_WITH(radial.flow(wrong), Contains("RadialTransform.forward: expected points of shape (B,2), got (3,3)"));
  CHECK_THROWS_WITH(PlanarTransform(0), Contains("PlanarTransform: dim must be positive, got 0"));
  PlanarFlow flow("planar", 2, 2);
  CHECK_THROWS_WITH(flow.log_prob(wrong), Contains("PlanarFlow.to_noise: expected points of shape (B,2), got (3,3)"));
  CHECK_THROWS_WITH(flow.loss(zeros({5, 1})), Contains("PlanarFlow.loss: expected points of shape (B,2), got (5,1)"));
  CHECK_THROWS_WITH(PlanarFlow("affine", 2, 2), Contains("layer must be 'planar' or 'radial', got 'affine'"));
  CHECK_THROWS_WITH(PlanarFlow("planar", 2, 0), Contains("num_layers must be positive, got 0"));
  CHECK_THROWS_WITH(PlanarFlow("planar", 2, 4, "u5"), Contains("unknown energy 'u5'; known: u1, u2, u3, u4, ring"));
  CHECK_THROWS_WITH(PlanarFlow("planar", 3, 4, "u1"), Contains("the energies are 2-D, got dim 3"));
  CHECK_THROWS_WITH(nn::data::energy("u1", wrong), Contains("energy 'u1': expected points of shape (n,2), got (3,3)"));
  CHECK_THROWS_WITH(nn::data::energy("banana", zeros({3, 2})), Contains("energy: unknown energy 'banana'"));
  CHECK_THROWS_WITH(nn::data::sample_energy("u1", -1), Contains("sample_energy 'u1': n must be non-negative"));
}
