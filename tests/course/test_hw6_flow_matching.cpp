// Homework 6, flow matching on MNIST (task 2: hw6.1, task 3: hw6.2, task 3': hw6.3): the notebook's UNet test
// (hidden 128, multipliers [1, 2, 4], 32x32 input, the continuous time: the output differs between t = 0 and t = 1),
// and checks that can fail: the loss's interpolation and target on fixed tensors against a stand-in velocity
// written out here, the Euler sampler's grid (v = t integrates to (N - 2) / (2 (N - 1)) on linspace(0, 1, N)),
// shape and clipping, prepare_dataset's shapes and pairs, get_map's plan (a permutation / B, minimal against brute
// force) and the OT loss's re-pairing.
//
// The hw6 UNet is hw5's (task hw5.4 ResBlock, hw5.5 resampling blocks; the course asks them again in hw6, here a
// task is defined once): its test is graded as hw5.4 and hw5.5 (tagged [hw5] and [hw6]), and the hw6.x tests use
// stand-in velocities, so that they grade hw6 alone.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "../helpers.h"
#include "models/flow_matching/flow_matching.h"
#include "models/flow_matching/ot_coupling.h"

using namespace dgm;
namespace fm = dgm::models::flow_matching;
namespace diffusion = dgm::models::diffusion;

namespace {

// v(x, t) = a x + b t (per example t), with every call's inputs recorded.
class StandIn : public fm::FlowMatching {
 public:
  StandIn(double a_, double b_, fm::Coupling coupling = fm::Coupling::independent)
      : fm::FlowMatching(coupling, fm::ProbabilityPath::linear, 0), a(a_), b(b_) {}
  Tensor velocity(const Tensor& x, const Tensor& t) override {
    xs.push_back(x.detach().clone());
    ts.push_back(t.detach().clone());
    return x * a + t.to(x.dtype()).reshape({-1, 1, 1, 1}).expand(x.shape()) * b;
  }
  double a, b;
  std::vector<Tensor> xs, ts;
};

double at(const Tensor& x, int64_t i) { return x.reshape({-1}).select(0, i).item(); }

}  // namespace

TEST_CASE("hw5.4/hw5.5 in hw6: the notebook's flow matching UNet (hidden 128, [1, 2, 4]) depends on t",
          "[hw5][hw6][hw5.4][hw5.5]") {
  manual_seed(0);
  diffusion::UNet unet(0, 0, 128, {1, 2, 4}, 2, 0.1);
  unet.eval();
  const Tensor x = randn({2, 1, 32, 32});
  const Tensor out0 = unet.forward(x, zeros({2}));
  const Tensor out1 = unet.forward(x, ones({2}));
  REQUIRE(out0.shape() == Shape{2, 1, 32, 32});
  CHECK(std::isfinite(out0.sum().item()));
  CHECK(out0.sub(out1).abs().max().item() > 1e-6);
}

TEST_CASE("hw6.1: the loss interpolates x_t = t x1 + (1 - t) x0 and regresses on x1 - x0", "[hw6][hw6.1]") {
  StandIn model(0.5, 2.0);
  const Tensor x1 = test::uniform_values({2, 1, 2, 2}, 0, 1, 1).to(kFloat32);
  const Tensor x0 = test::uniform_values({2, 1, 2, 2}, -2, 2, 2).to(kFloat32);
  const Tensor t = tensor(std::vector<float>{0.25f, 0.8f});
  const double loss = model.loss(x1, x0, t).item();
  // written out: per element, x_t = t x1 + (1 - t) x0, v = 0.5 x_t + 2 t, (v - (x1 - x0))^2, mean of 8
  double expected = 0;
  for (int64_t i = 0; i < 8; ++i) {
    const double ti = i < 4 ? 0.25 : 0.8;
    const double xt = ti * at(x1, i) + (1 - ti) * at(x0, i);
    REQUIRE(model.xs.size() == 1);
    CHECK(at(model.xs[0], i) == Approx(xt).epsilon(1e-6));
    const double r = 0.5 * xt + 2 * ti - (at(x1, i) - at(x0, i));
    expected += r * r / 8;
  }
  CHECK(loss == Approx(expected).epsilon(1e-5));
  test::check_values(model.ts[0], {0.25, 0.8}, 1e-7);
  // loss(batch): "total_loss", x0 ~ N(0, I) and t in [0, 1] drawn; a paired batch uses its noise
  const models::Losses l = model.loss(models::Batch(x1, Tensor(), x0));
  REQUIRE(l.count("total_loss") == 1);
  const Tensor t_drawn = model.ts.back();
  CHECK(t_drawn.min().item() >= 0);
  CHECK(t_drawn.max().item() <= 1);
  const Tensor tb = t_drawn.reshape({-1, 1, 1, 1});
  CHECK(model.xs.back().sub(tb * x1 + (1.0 - tb) * x0).abs().max().item() < 1e-6);
}

TEST_CASE("hw6.1: the sampler integrates by Euler on linspace(0, 1, N), clipped to [0, 1]", "[hw6][hw6.1]") {
  // v = t: Euler on N points sums h t_k for k = 0..N-2 with h = 1 / (N - 1): (N - 2) / (2 (N - 1)); the exact
  // integral is 1/2. N = 2: one step at t = 0, nothing moves.
  StandIn model(0.0, 1.0);
  const Tensor x0 = zeros({3, 1, 32, 32});
  CHECK(model.integrate(x0, 2).abs().max().item() == 0);
  CHECK((model.integrate(x0, 11) - 9.0 / 20).abs().max().item() < 1e-6);
  CHECK((model.integrate(x0, 101) - 99.0 / 200).abs().max().item() < 1e-6);
  // the times it was called at: 0, 0.1, ..., 0.9 for N = 11 (the last state needs no evaluation)
  model.ts.clear();
  const int64_t nfe_before = model.ode_stats.nfe;
  model.integrate(x0, 11);
  REQUIRE(model.ts.size() == 10);
  CHECK(model.ode_stats.nfe - nfe_before == 10);  // odeint's counts reach the model's ode_stats
  for (size_t k = 0; k < 10; ++k) CHECK(model.ts[k].max().item() == Approx(0.1 * static_cast<double>(k)));
  // v = x: Euler's (1 + h)^(N - 1) x0 (the exact flow: e x0)
  StandIn growth(1.0, 0.0);
  CHECK(growth.integrate(ones({1, 1, 32, 32}), 5).max().item() == Approx(std::pow(1.25, 4)).epsilon(1e-6));
  // sample: (n, 1, 32, 32); v = t on linspace(0, 1, 3) moves the noise by 0.25; clipped into [0, 1] (the noise
  // reaches past both ends)
  StandIn shift(0.0, 1.0);
  Generator gen(3);
  models::SampleOptions options(&gen);
  options.steps = 3;
  const Tensor s = shift.sample(64, options);
  REQUIRE(s.shape() == Shape{64, 1, 32, 32});
  CHECK(s.min().item() == 0);
  CHECK(s.max().item() == 1);
  Generator gen2(3);
  const Tensor noise = randn({64, 1, 32, 32}, &gen2);
  CHECK(s.sub((noise + 0.25).clamp(0.0, 1.0)).abs().max().item() < 1e-6);
}

TEST_CASE("hw6.2: prepare_dataset returns (x*, noise) pairs of the ODE with num_steps points", "[hw6][hw6.2]") {
  // v = t (no x): x* = clip(x0 + (N - 2) / (2 (N - 1)), 0, 1) with N = 10: x0 + 4/9
  StandIn model(0.0, 1.0);
  Generator gen(7);
  auto [x, noise] = model.prepare_dataset(5, 10, 2, &gen);
  REQUIRE(x.shape() == Shape{5, 1, 32, 32});
  REQUIRE(noise.shape() == Shape{5, 1, 32, 32});
  CHECK(x.sub((noise + 4.0 / 9).clamp(0.0, 1.0)).abs().max().item() < 1e-6);
  // noise ~ N(0, 1): 5120 values, the sample sd's standard error is 1 / sqrt(2 * 5120) = 1%, 5% is 5 of them;
  // the mean's is 1.4%, 0.07 is 5 of them
  CHECK(noise.mean().item() == Approx(0).margin(0.07));
  CHECK(std::sqrt(noise.pow(2.0).mean().item()) == Approx(1).epsilon(0.05));
  // three chunks (2, 2, 1) of different noise
  CHECK(noise.narrow(0, 0, 1).sub(noise.narrow(0, 2, 1)).abs().max().item() > 0.1);
}

TEST_CASE("hw6.3: get_map is the exact OT plan: a permutation / B, minimal against brute force", "[hw6][hw6.3]") {
  manual_seed(11);
  const Tensor x0 = randn({6, 1, 3, 3}), x1 = randn({6, 1, 3, 3});
  const Tensor pi = fm::get_map(x0, x1).to(kFloat64);
  REQUIRE(pi.shape() == Shape{6, 6});
  // every row and column holds one 1/6
  std::vector<int64_t> sigma(6, -1);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 6; ++j) {
      const double p = pi.select(0, i).select(0, j).item();
      CHECK((p == 0 || std::abs(p - 1.0 / 6) < 1e-12));
      if (p > 0) sigma[static_cast<size_t>(i)] = j;
    }
  std::vector<int64_t> sorted = sigma;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  // its cost is the minimum over the 720 permutations, costs written out in double
  auto cost = [&](int64_t i, int64_t j) {
    double c = 0;
    for (int64_t k = 0; k < 9; ++k) {
      const double d = at(x0.select(0, i), k) - at(x1.select(0, j), k);
      c += d * d;
    }
    return c;
  };
  double plan_cost = 0;
  for (int64_t i = 0; i < 6; ++i) plan_cost += cost(i, sigma[static_cast<size_t>(i)]);
  std::vector<int64_t> perm(6);
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double c = 0;
    for (int64_t i = 0; i < 6; ++i) c += cost(i, perm[static_cast<size_t>(i)]);
    best = std::min(best, c);
  } while (std::next_permutation(perm.begin(), perm.end()));
  CHECK(plan_cost == Approx(best).epsilon(1e-6));
}

TEST_CASE("hw6.3: the OT loss re-pairs noise and data by the plan before the flow matching loss", "[hw6][hw6.3]") {
  // Data: 8 constant images, 4 of value 0 and 4 of value 10. The cost |x0 - c|^2 = |x0|^2 - 2 c sum(x0) + D c^2
  // makes the OT plan send the 4 noise images with the largest pixel sums to the 10s. With v = 0 recorded, each
  // pair's x0 = (x_t - t c) / (1 - t) and c is read off mean(x_t) / t, so the pairs can be checked: every x0 paired
  // with a 10 has a larger sum than every x0 paired with a 0 (the independent pairing fails this but with
  // probability 1 / 70 per batch, even less with draws with replacement).
  manual_seed(12);
  StandIn model(0.0, 0.0, fm::Coupling::ot);
  const Tensor x1 = cat({zeros({4, 1, 32, 32}), full({4, 1, 32, 32}, 10.0)}, 0);
  model.loss(models::Batch(x1));
  REQUIRE(model.xs.size() == 1);
  const Tensor xt = model.xs[0], t = model.ts[0];
  double min_with_10 = 1e300, max_with_0 = -1e300;
  int used = 0, with_10 = 0, with_0 = 0;
  for (int64_t b = 0; b < 8; ++b) {
    const double tb = t.select(0, b).item();
    if (tb < 0.15 || tb > 0.95) continue;  // c is read reliably and x0 recovered accurately in between
    const double c = std::round(xt.select(0, b).mean().item() / tb / 10) * 10;
    const double sum_x0 = (xt.select(0, b).sum().item() - tb * c * 1024) / (1 - tb);
    ++used;
    if (c == 10) {
      min_with_10 = std::min(min_with_10, sum_x0);
      ++with_10;
    } else {
      max_with_0 = std::max(max_with_0, sum_x0);
      ++with_0;
    }
  }
  REQUIRE(used >= 4);
  REQUIRE(with_10 >= 1);  // both sides of the comparison are real pairs, not the sentinels
  REQUIRE(with_0 >= 1);
  CHECK(min_with_10 > max_with_0);
}
