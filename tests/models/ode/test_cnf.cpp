// Continuous normalizing flows (models/ode/cnf.h, divergence.h, ffjord.h), float64:
//   * a linear field f(x) = A x: x(1) = expm(A) x(0) and l(1) = -tr(A) (log|det expm(A)| = tr A), with expm in
//     closed form for an upper-triangular A and for A = a I + b R (R the 90 degree rotation);
//   * the exact trace against float64 central differences of the field;
//   * Hutchinson's estimator unbiased (mean of many draws within 4 standard errors of the exact trace) and its
//     variance equal to the closed form of divergence.h, for Rademacher and Gaussian e;
//   * the adjoint's gradients of a CNF's NLL against backpropagation through the same RK4 steps (both traces);
//   * an untrained FFJORD's density integrates to 1 over the plane (the sign of the trace term is right).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <vector>

#include "dgm.h"
#include "models/ode/cnf.h"
#include "models/ode/divergence.h"
#include "models/ode/ffjord.h"
#include "models/ode/ode_net.h"

using namespace dgm;
using namespace dgm::models::ode;

namespace {

// f(t, x) = x A^T (each row: A x)
PointField linear_field(const Tensor& A) {
  return [A](double, const Tensor& x) { return matmul(x, A.t()); };
}

CnfSolver tight_dopri5(TraceMode trace) {
  CnfSolver s;
  s.ode.method = OdeMethod::dopri5;
  s.ode.rtol = 1e-10;
  s.ode.atol = 1e-12;
  s.trace = trace;
  return s;
}

std::shared_ptr<OdeNet> small_net(int64_t dim, uint64_t seed) {
  manual_seed(seed);
  auto net = std::make_shared<OdeNet>(dim, std::vector<int64_t>{16, 16}, "tanh");
  net->to(kFloat64);
  return net;
}

}  // namespace

TEST_CASE("CNF of a linear field: x(1) = expm(A) x(0) and the log-density change is -tr(A)", "[ode][cnf]") {
  struct Case {
    std::vector<double> A, expA;  // row-major 2 x 2
  };
  const double a = 0.3, c = 0.8, d = -0.5;  // upper triangular: expm = [[e^a, c (e^a - e^d) / (a - d)], [0, e^d]]
  const double s = -0.2, w = 1.1;           // s I + w R: expm = e^s [[cos w, -sin w], [sin w, cos w]]
  const std::vector<Case> cases = {
      {{a, c, 0, d}, {std::exp(a), c * (std::exp(a) - std::exp(d)) / (a - d), 0, std::exp(d)}},
      {{s, -w, w, s},
       {std::exp(s) * std::cos(w), -std::exp(s) * std::sin(w), std::exp(s) * std::sin(w), std::exp(s) * std::cos(w)}}};
  Generator gen(4);
  const Tensor x0 = randn({6, 2}, kFloat64, &gen);
  for (const Case& k : cases) {
    const Tensor A = tensor(k.A, {2, 2});
    const Tensor expected = matmul(x0, tensor(k.expA, {2, 2}).t());
    const double trace = k.A[0] + k.A[3];
    for (bool adjoint : {true, false}) {
      CnfSolver solver = tight_dopri5(TraceMode::exact);
      solver.adjoint = adjoint;
      const CnfResult r = cnf_integrate(linear_field(A), x0, 0.0, 1.0, {}, solver);
      CHECK((r.x - expected).abs().max().item() < 1e-8);
      CHECK((r.delta + trace).abs().max().item() < 1e-8);
      // log p(x) = log N(expm(A) x; 0, I) + tr(A), written out: -|z|^2/2 - log(2 pi) + tr(A)
      const Tensor log_p = standard_normal_log_prob(r.x) - r.delta;
      const Tensor closed_form = -0.5 * expected.square().sum({1}) - std::log(2 * M_PI) + trace;
      CHECK((log_p - closed_form).abs().max().item() < 1e-7);
    }
  }
  // Rademacher Hutchinson reads the diagonal exactly and the off-diagonal through e1 e2 (A12 + A21): exact for the
  // rotation case (A12 + A21 = 0) at every draw.
  const CnfResult r = cnf_integrate(linear_field(tensor(cases[1].A, {2, 2})), x0, 0.0, 1.0, {},
                                    tight_dopri5(TraceMode::hutchinson), &gen);
  CHECK((r.delta + 2 * s).abs().max().item() < 1e-8);
}

TEST_CASE("exact_trace and batch_jacobian match float64 central differences of the field", "[ode][cnf]") {
  auto net = small_net(3, 7);
  Generator gen(9);
  Tensor x = randn({5, 3}, kFloat64, &gen);
  x.requires_grad_(true);
  const double t = 0.4;
  const Tensor J = batch_jacobian(net->field(t, x), x, false);
  const Tensor trace = exact_trace(net->field(t, x), x, false);
  REQUIRE(J.shape() == Shape{5, 3, 3});
  NoGradGuard no_grad;
  const double eps = 1e-6;  // central differences: error O(eps^2) ~ 1e-12 plus round-off ~1e-16 / eps ~ 1e-10
  for (int64_t j = 0; j < 3; ++j) {
    Tensor step = zeros({5, 3}, kFloat64);
    step.narrow(1, j, 1).fill_(eps);
    const Tensor column = (net->field(t, x.detach() + step) - net->field(t, x.detach() - step)) / (2 * eps);
    CHECK((column - J.select(2, j)).abs().max().item() < 1e-8);  // column j: d f / d x_j
  }
  CHECK((trace - (J * eye(3, kFloat64)).sum({1, 2})).abs().max().item() < 1e-12);
}

TEST_CASE("Hutchinson's trace estimator is unbiased, with the closed-form variance", "[ode][cnf]") {
  auto net = small_net(3, 11);
  Generator gen(12);
  const Tensor point = randn({1, 3}, kFloat64, &gen);
  const int64_t n = 40000;
  Tensor x = point.expand({n, 3}).contiguous();
  x.requires_grad_(true);
  const Tensor dx = net->field(0.5, x);
  const double exact = exact_trace(dx, x, false).select(0, 0).item();
  const Tensor J = batch_jacobian(dx, x, false).narrow(0, 0, 1);
  for (TraceNoise noise : {TraceNoise::rademacher, TraceNoise::gaussian}) {
    const Tensor draws = hutchinson_trace(dx, x, trace_noise(x, noise, &gen), false).detach();
    const double mean = draws.mean().item(), variance = draws.var().item();
    const double expected_variance = hutchinson_variance(J, noise).item();
    INFO(trace_noise_name(noise) << ": exact trace " << exact << ", Hutchinson mean " << mean << ", variance "
                                 << variance << " (closed form " << expected_variance << ")");
    REQUIRE(expected_variance > 1e-4);  // the check below is not trivial
    // unbiased: 4 standard errors of the mean of n draws
    CHECK(std::abs(mean - exact) < 4 * std::sqrt(expected_variance / n));
    // the sample variance of n draws of a quadratic form e^T S e has relative standard error
    // sqrt((kappa4 + 2 sigma^4) / n) / sigma^2 <= sqrt(56 / n) / 2 (Gaussian e: kappa4 = 48 sum lambda^4,
    // sigma^2 = 2 sum lambda^2; Rademacher's fourth cumulant is smaller); 4 of them
    CHECK(std::abs(variance / expected_variance - 1) < 4 * std::sqrt(56.0 / n) / 2);
  }
  // for a diagonal J Rademacher e reads the trace exactly (e_i^2 = 1); Gaussian e does not
  const Tensor diagonal = (J * eye(3, kFloat64)).detach();
  CHECK(hutchinson_variance(diagonal, TraceNoise::rademacher).item() == 0);
  CHECK(hutchinson_variance(diagonal, TraceNoise::gaussian).item() > 0);  // Gaussian e also varies on the diagonal
}

TEST_CASE("CNF negative log-likelihood: adjoint gradients equal backpropagation through the RK4 steps",
          "[ode][cnf][adjoint]") {
  auto net = small_net(2, 21);
  Generator data_gen(22);
  const Tensor x = randn({7, 2}, kFloat64, &data_gen);
  const PointField f = [net](double t, const Tensor& p) { return net->field(t, p); };
  for (TraceMode trace : {TraceMode::exact, TraceMode::hutchinson}) {
    std::vector<std::vector<Tensor>> grads;
    for (bool adjoint : {false, true}) {
      CnfSolver solver;
      solver.ode.method = OdeMethod::rk4;
      solver.ode.step_size = 1.0 / 100;
      solver.adjoint = adjoint;
      solver.trace = trace;
      Generator gen(23);  // the same e for both
      const CnfResult r = cnf_integrate(f, x, 0.0, 1.0, net->parameters(), solver, &gen);
      const Tensor nll = -(standard_normal_log_prob(r.x) - r.delta).mean();
      grads.push_back(autograd::grad({nll}, net->parameters()));
    }
    // both are the exact gradient of the same ODE's NLL up to RK4's error at h = 0.01 (~1e-8 for this O(1) field)
    for (size_t i = 0; i < grads[0].size(); ++i) {
      INFO(trace_mode_name(trace) << ", parameter " << i);
      CHECK((grads[0][i] - grads[1][i]).abs().max().item() < 1e-7);
    }
  }
}

TEST_CASE("An untrained FFJORD's density integrates to 1 over the plane", "[ode][cnf][ffjord]") {
  manual_seed(31);
  FfjordConfig config;
  config.hidden = {32, 32};
  config.solver.ode.method = OdeMethod::rk4;
  config.solver.ode.step_size = 1.0 / 10;
  Ffjord model(config);
  model.to(kFloat64);
  model.eval();
  NoGradGuard no_grad;
  // midpoint rule on [-7, 7]^2 with 70 x 70 cells (h = 0.2): the density is smooth, so the rule's error is
  // O(h^2) times its curvature (h^2 / 24 ~ 2e-3 relative for a unit Gaussian); the mass of a near-standard normal
  // outside the box is ~1e-11. RK4 at h = 0.1 adds its error in x(1) and l(1), ~h^4 = 1e-4 for this O(1) field.
  const int64_t side = 70;
  const double lo = -7, h = 14.0 / side;
  std::vector<double> grid;
  for (int64_t i = 0; i < side; ++i)
    for (int64_t j = 0; j < side; ++j) {
      grid.push_back(lo + (j + 0.5) * h);
      grid.push_back(lo + (i + 0.5) * h);
    }
  const Tensor points = tensor(grid, {side * side, 2});
  const double mass = model.log_prob(points, TraceMode::exact).exp().sum().item() * h * h;
  INFO("mass " << mass);
  CHECK(std::abs(mass - 1) < 0.01);  // measured: 1 - 2e-10 (the bounds above are pessimistic)
  // a wrong sign of the trace term would give mass exp(2 int tr) != 1; check the flow is not the identity
  const Tensor z = model.log_prob(points.narrow(0, 0, 10), TraceMode::exact);
  CHECK((z - standard_normal_log_prob(points.narrow(0, 0, 10))).abs().max().item() > 1e-3);
}

TEST_CASE("FFJORD samples, losses and errors", "[ode][cnf][ffjord]") {
  manual_seed(41);
  FfjordConfig config;
  config.hidden = {16};
  config.solver.ode.method = OdeMethod::rk4;
  config.solver.ode.step_size = 0.25;
  config.solver.trace = TraceMode::hutchinson;
  Ffjord model(config);
  Generator gen(42);
  const Tensor s = model.sample(9, &gen);
  CHECK(s.shape() == Shape{9, 2});
  CHECK(s.dtype() == kFloat32);
  const Tensor x = randn({8, 2}, &gen);
  model.train();
  models::Losses train_losses = model.loss(x);
  CHECK(train_losses.count("hutchinson_var") == 0);
  CHECK(train_losses.at("nfe").item() == 4 * 4);  // rk4, 4 steps
  train_losses.at("loss").backward();
  for (const Tensor& p : model.parameters()) CHECK(p.grad().defined());
  model.eval();
  NoGradGuard no_grad;
  models::Losses eval_losses = model.loss(x);
  CHECK(std::isfinite(eval_losses.at("loss").item()));
  CHECK(eval_losses.at("hutchinson_var").item() >= 0);
  // the pictures: samples.png and density.png (density, Hutchinson variance, data)
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "dgm_test_ffjord_pictures";
  fs::remove_all(dir);
  fs::create_directories(dir);
  model.save_pictures(dir.string(), x, 16, &gen);
  CHECK(fs::file_size(dir / "density.png") > 1000);
  CHECK(fs::file_size(dir / "samples.png") > 1000);
  fs::remove_all(dir);
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(model.loss(randn({8, 3})), Contains("Ffjord.loss: expected points of shape (B,2)"));
  REQUIRE_THROWS_WITH(parse_trace_mode("hutch"), Contains("trace_mode: unknown 'hutch' (exact, hutchinson)"));
  REQUIRE_THROWS_WITH(OdeNet(2, {16}, "relu"), Contains("OdeNet: activation must be tanh or softplus"));
  REQUIRE_THROWS_AS(cnf_integrate(linear_field(eye(2)), randn({4}), 0, 1, {}, CnfSolver()), Error);
}
