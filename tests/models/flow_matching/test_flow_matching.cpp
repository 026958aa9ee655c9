// FlowMatching (homework 6, lectures 12-13): the continuous time embedding (hand values), the loss's
// interpolation and target on fixed tensors (linear and conical paths), the CFM loss at the exact velocity of a
// Gaussian data distribution against its closed-form minimum, the Euler sampler against the exact flow of that
// Gaussian (first-order convergence), the OT coupling (plan, pair draws), and the errors.
#include <cmath>
#include <map>
#include <vector>

#include "../../helpers.h"
#include "models/flow_matching/flow_matching.h"
#include "models/flow_matching/ot_coupling.h"

using namespace dgm;
namespace fm = dgm::models::flow_matching;
namespace diffusion = dgm::models::diffusion;

namespace {

std::shared_ptr<diffusion::UNet> small_unet() {
  return std::make_shared<diffusion::UNet>(0, 0, 32, std::vector<int64_t>{1, 2}, 1, 0.0, 1);
}

// The data x1 ~ N(mu, s^2) per pixel, x0 ~ N(0, 1): x_t = t x1 + (1 - t) x0 has mean t mu and variance
// sig_t^2 = t^2 s^2 + (1 - t)^2, and E[x1 - x0 | x_t] = mu + c_t / sig_t^2 (x_t - t mu) with
// c_t = Cov(x1 - x0, x_t) = t s^2 - (1 - t): the exact (marginal) velocity. Its flow is x_t = t mu + sig_t z.
constexpr double kMu = 0.5, kS = 0.2;
double sig2(double t) { return t * t * kS * kS + (1 - t) * (1 - t); }
double cov(double t) { return t * kS * kS - (1 - t); }

class GaussianFlow : public fm::FlowMatching {
 public:
  GaussianFlow() : fm::FlowMatching(fm::Coupling::independent, fm::ProbabilityPath::linear, 0) {}
  Tensor velocity(const Tensor& x, const Tensor& t) override {
    const Tensor tt = t.to(kFloat64).reshape({-1, 1, 1, 1});
    const Tensor c = tt * (kS * kS) - (1.0 - tt);
    const Tensor s2 = tt * tt * (kS * kS) + (1.0 - tt) * (1.0 - tt);
    return (c / s2 * (x.to(kFloat64) - tt * kMu) + kMu).to(x.dtype());
  }
};

}  // namespace

TEST_CASE("ContinuousTimeEmbedding: cat(sin(k pi t), cos(k pi t)), k = 1..dim/2", "[flow_matching]") {
  diffusion::ContinuousTimeEmbedding emb(4);
  CHECK(emb.parameters().empty());
  // t = 0.25: freqs (pi, 2 pi) -> sin(pi/4), sin(pi/2), cos(pi/4), cos(pi/2); t = 0: 0, 0, 1, 1
  const Tensor out = emb.forward(tensor(std::vector<double>{0.25, 0.0}));
  REQUIRE(out.shape() == Shape{2, 4});
  CHECK(out.dtype() == kFloat64);
  test::check_values(out, {std::sqrt(0.5), 1, std::sqrt(0.5), 0, 0, 0, 1, 1}, 1e-12);
  CHECK_THROWS_WITH(diffusion::ContinuousTimeEmbedding(3), Catch::Contains("even dim"));
  CHECK_THROWS_WITH(emb.forward(tensor(std::vector<int64_t>{1})),
                    Catch::Contains("ContinuousTimeEmbedding") && Catch::Contains("float"));
}

TEST_CASE("UNet with a continuous time: no time parameters, the output depends on t", "[flow_matching]") {
  manual_seed(0);
  diffusion::UNet cont(0, 0, 32, {1, 2}, 1, 0.0, 1);
  diffusion::UNet disc(10, 0, 32, {1, 2}, 1, 0.0, 1);
  // the discrete UNet's time MLP has 4 tensors (two Linear layers); the continuous one has none
  CHECK(disc.state_dict().size() - cont.state_dict().size() == 4);
  const Tensor x = randn({2, 1, 8, 8});
  const Tensor a = cont.forward(x, tensor(std::vector<float>{0.f, 0.f}));
  const Tensor b = cont.forward(x, tensor(std::vector<float>{1.f, 1.f}));
  REQUIRE(a.shape() == Shape{2, 1, 8, 8});
  CHECK(a.sub(b).abs().max().item() > 1e-4);
  CHECK_THROWS_WITH(cont.forward(x, tensor(std::vector<int64_t>{0, 1})), Catch::Contains("float"));
  CHECK_THROWS_WITH(diffusion::UNet(-1, 0, 32, {1}), Catch::Contains("num_timesteps >= 0"));
}

TEST_CASE("FlowMatching loss: x_t = t x1 + (1 - t) x0 and target x1 - x0; conical with s", "[flow_matching]") {
  manual_seed(1);
  fm::FlowMatching model(small_unet());
  model.eval();  // dropout off (0 anyway)
  const Tensor x1 = rand({3, 1, 8, 8}), x0 = randn({3, 1, 8, 8});
  const std::vector<float> ts{0.f, 0.3f, 1.f};
  const Tensor t = tensor(ts);
  // x_t and the target written out per example
  std::vector<Tensor> xt, target;
  for (int64_t i = 0; i < 3; ++i) {
    const double ti = ts[static_cast<size_t>(i)];
    xt.push_back(x1.narrow(0, i, 1) * ti + x0.narrow(0, i, 1) * (1 - ti));
    target.push_back(x1.narrow(0, i, 1) - x0.narrow(0, i, 1));
  }
  const Tensor v = model.model->forward(cat(xt, 0), t);
  const double expected = (v - cat(target, 0)).pow(2.0).mean().item();
  CHECK(model.loss(x1, x0, t).item() == Approx(expected).epsilon(1e-6));
  // at t = 1 the input is x1 itself, at t = 0 the noise
  CHECK(xt[2].sub(x1.narrow(0, 2, 1)).abs().max().item() == 0);

  // the conical path with s = 0 is the same loss; with s = 0.1: x_t = t x1 + (1 - 0.9 t) x0, target x1 - 0.9 x0
  fm::FlowMatching conical0(model.model, fm::Coupling::independent, fm::ProbabilityPath::conical, 0.0);
  CHECK(conical0.loss(x1, x0, t).item() == Approx(expected).epsilon(1e-6));
  fm::FlowMatching conical(model.model, fm::Coupling::independent, fm::ProbabilityPath::conical, 0.1);
  std::vector<Tensor> cxt, ctarget;
  for (int64_t i = 0; i < 3; ++i) {
    const double ti = ts[static_cast<size_t>(i)];
    cxt.push_back(x1.narrow(0, i, 1) * ti + x0.narrow(0, i, 1) * (1 - 0.9 * ti));
    ctarget.push_back(x1.narrow(0, i, 1) - x0.narrow(0, i, 1) * 0.9);
  }
  const double cexpected = (model.model->forward(cat(cxt, 0), t) - cat(ctarget, 0)).pow(2.0).mean().item();
  CHECK(conical.loss(x1, x0, t).item() == Approx(cexpected).epsilon(1e-6));
  CHECK(std::abs(cexpected - expected) > 1e-4);
}

TEST_CASE("FlowMatching loss at the exact velocity of Gaussian data equals its closed-form minimum",
          "[flow_matching]") {
  // The CFM loss at the marginal velocity v* is E_t Var(x1 - x0 | x_t) = E_t [(s^2 + 1) - c_t^2 / sig_t^2].
  // t is fixed per image on a grid, so the expected value is the grid's mean; each image's mean over its 1024
  // pixels of a squared Gaussian residual has relative sd sqrt(2 / 1024), over 256 images sqrt(2 / 262144) =
  // 0.28%: 1.5% is over 5 standard deviations.
  manual_seed(2);
  GaussianFlow model;
  const int64_t n = 256;
  std::vector<float> ts;
  double expected = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double t = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    ts.push_back(static_cast<float>(t));
    expected += (kS * kS + 1 - cov(t) * cov(t) / sig2(t)) / static_cast<double>(n);
  }
  const Tensor x1 = randn({n, 1, 32, 32}) * kS + kMu, x0 = randn({n, 1, 32, 32});
  CHECK(model.loss(x1, x0, tensor(ts)).item() == Approx(expected).epsilon(0.015));
}

TEST_CASE("FlowMatching sampler: Euler on linspace(0, 1, N) converges at first order to the exact flow",
          "[flow_matching]") {
  // The exact flow of the Gaussian velocity maps z to mu + s z at t = 1. Euler's global error is O(h): doubling
  // the intervals (N - 1) halves it (ratio 2 up to O(h^2) terms).
  manual_seed(3);
  GaussianFlow model;
  const Tensor z = randn({4, 1, 32, 32});
  const Tensor exact = z * kS + kMu;
  const double e1 = model.integrate(z, 51).sub(exact).abs().max().item();
  const double e2 = model.integrate(z, 101).sub(exact).abs().max().item();
  const double e3 = model.integrate(z, 201).sub(exact).abs().max().item();
  CHECK(e3 < 0.01);
  CHECK(e1 / e2 == Approx(2.0).epsilon(0.1));
  CHECK(e2 / e3 == Approx(2.0).epsilon(0.1));
  // sample: clipped into [0, 1], the asked shape, steps >= 2
  Generator gen(5);
  const Tensor s = model.sample(6, models::SampleOptions(&gen));
  REQUIRE(s.shape() == Shape{6, 1, 32, 32});
  CHECK(s.min().item() >= 0);
  CHECK(s.max().item() <= 1);
  models::SampleOptions one(&gen);
  one.steps = 1;
  CHECK_THROWS_WITH(model.sample(2, one), Catch::Contains("steps") && Catch::Contains(">= 2"));
}

TEST_CASE("OT coupling: the plan is a permutation / B, pair draws follow the normalized plan", "[flow_matching]") {
  manual_seed(4);
  // x0 and x1 that pair off exactly: x1 = x0[perm] + tiny, so the optimal plan puts 1/B at (perm^-1(j), j)
  const Tensor x0 = randn({6, 1, 4, 4});
  const std::vector<int64_t> perm{3, 0, 5, 1, 4, 2};
  const Tensor x1 = x0.index_select(0, tensor(perm)) + 1e-3;
  const Tensor pi = fm::get_map(x0, x1);
  REQUIRE(pi.shape() == Shape{6, 6});
  for (int64_t j = 0; j < 6; ++j)
    CHECK(pi.select(0, perm[static_cast<size_t>(j)]).select(0, j).item() == Approx(1.0 / 6));
  CHECK(pi.sum().item() == Approx(1.0));
  // sample_plan on this plan returns pairs (x0[i], x1[j]) with x1[j] = x0[i] + 1e-3
  Generator gen(6);
  auto [a, b] = fm::sample_plan(x0, x1, pi, &gen);
  CHECK((b - a - 1e-3).abs().max().item() < 1e-5);
  // draws from a general plan: frequencies pi / sum; with 20000 draws a proportion's sd is at most 0.0035,
  // 0.018 is over 5 sd
  const Tensor plan = tensor(std::vector<double>{0.1, 0.2, 0.3, 0.4}, {2, 2});
  auto [i, j] = fm::sample_map(plan, 20000, &gen);
  std::map<std::pair<int64_t, int64_t>, int64_t> counts;
  for (int64_t k = 0; k < 20000; ++k) ++counts[{i.select(0, k).item<int64_t>(), j.select(0, k).item<int64_t>()}];
  CHECK(counts[{0, 0}] / 20000.0 == Approx(0.1).margin(0.018));
  CHECK(counts[{0, 1}] / 20000.0 == Approx(0.2).margin(0.018));
  CHECK(counts[{1, 0}] / 20000.0 == Approx(0.3).margin(0.018));
  CHECK(counts[{1, 1}] / 20000.0 == Approx(0.4).margin(0.018));
  CHECK_THROWS_WITH(fm::sample_map(plan * -1.0, 2, &gen), Catch::Contains("non-negative"));
  CHECK_THROWS_WITH(fm::get_map(x0, x1.narrow(0, 0, 5)), Catch::Contains("get_map"));
}

TEST_CASE("FlowMatching: bad options and inputs are refused", "[flow_matching]") {
  auto unet = small_unet();
  CHECK_THROWS_WITH(fm::FlowMatching(std::make_shared<diffusion::UNet>(10, 0, 32, std::vector<int64_t>{1})),
                    Catch::Contains("continuous time"));
  CHECK_THROWS_WITH(fm::FlowMatching(std::make_shared<diffusion::UNet>(0, 10, 32, std::vector<int64_t>{1})),
                    Catch::Contains("class embedding"));
  CHECK_THROWS_WITH(fm::FlowMatching(unet, fm::Coupling::independent, fm::ProbabilityPath::linear, 0.1),
                    Catch::Contains("sigma_min"));
  CHECK_THROWS_WITH(fm::FlowMatching(unet, fm::Coupling::independent, fm::ProbabilityPath::conical, 1.0),
                    Catch::Contains("[0, 1)"));
  CHECK_THROWS_WITH(fm::FlowMatching(unet, fm::Coupling::ot, fm::ProbabilityPath::conical, 0.1),
                    Catch::Contains("conical"));
  CHECK_THROWS_WITH(fm::parse_coupling("sinkhorn"), Catch::Contains("independent or ot"));
  CHECK_THROWS_WITH(fm::parse_probability_path("cosine"), Catch::Contains("linear or conical"));
  fm::FlowMatching model(unet);
  const Tensor x = rand({2, 1, 8, 8});
  CHECK_THROWS_WITH(model.loss(x, randn({2, 1, 8, 4}), rand({2})), Catch::Contains("x0 of its shape"));
  CHECK_THROWS_WITH(model.loss(models::Batch(rand({2, 64}))), Catch::Contains("(B, 1, H, W)"));
  fm::FlowMatching ot(unet, fm::Coupling::ot);
  CHECK_THROWS_WITH(ot.loss(models::Batch(x, Tensor(), randn({2, 1, 8, 8}))), Catch::Contains("re-paired"));
  models::SampleOptions labelled;
  labelled.labels = tensor(std::vector<int64_t>{1});
  CHECK_THROWS_WITH(model.sample(1, labelled), Catch::Contains("unconditional"));
}

TEST_CASE("FlowMatching sampler with another ODE solver: NFE counted, the exact flow reached, the solver restored",
          "[flow_matching]") {
  // The exact flow maps z to mu + s z at t = 1 (clipping aside: mu + s z stays in [0, 1] for |z| < 2.5).
  GaussianFlow model;
  Generator gen(9);
  auto draw = [&](const std::string& method, int64_t steps, int64_t& nfe) {
    Generator g(9);
    models::SampleOptions o(&g);
    o.ode_method = method;
    o.steps = steps;
    o.function_evaluations = &nfe;
    return model.sample(3, o);
  };
  Generator g0(9);
  const Tensor exact = (randn({3, 1, 32, 32}, &g0) * kS + kMu).clamp(0.0, 1.0);
  int64_t nfe_euler = 0, nfe_rk4 = 0, nfe_dopri5 = 0;
  const double err_euler = draw("euler", 11, nfe_euler).sub(exact).abs().max().item();
  const double err_rk4 = draw("rk4", 11, nfe_rk4).sub(exact).abs().max().item();
  const double err_dopri5 = draw("dopri5", 2, nfe_dopri5).sub(exact).abs().max().item();
  CHECK(nfe_euler == 10);  // one evaluation per interval
  CHECK(nfe_rk4 == 40);    // four per interval
  CHECK(nfe_dopri5 > 6);   // adaptive: at least one step of 6 stages beyond the first evaluation
  CHECK(err_rk4 < err_euler / 100);
  CHECK(err_dopri5 < 1e-3);  // rtol = atol = 1e-5 per step
  // the model's own solver is untouched by the call
  CHECK(model.ode_options.method == models::ode::OdeMethod::euler);
  models::SampleOptions bad(&gen);
  bad.ode_method = "heun";
  CHECK_THROWS_WITH(model.sample(2, bad), Catch::Contains("unknown method 'heun'"));
  CHECK(model.ode_options.method == models::ode::OdeMethod::euler);
}
