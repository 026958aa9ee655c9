// odeint_adjoint (models/ode/adjoint.h), float64:
//   * y' = k y: closed-form gradients dy(T)/dy0 = e^{kT}, dy(T)/dk = T y0 e^{kT};
//   * a small tanh field with parameters, a loss reading every output time: against backpropagation through the
//     same fixed-step solver (they agree up to the solver's error, O(h^4) for RK4) and against central finite
//     differences (dgm::gradcheck) with dopri5 at a tight tolerance;
//   * memory: the peak of live tensor bytes over forward + backward does not grow with the number of steps
//     (backprop through the steps does, linearly).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dgm.h"
#include "models/ode/adjoint.h"
#include "tensor/allocator.h"

using namespace dgm;
using namespace dgm::models::ode;

namespace {

// f(t, y) = tanh(y W + b) + t c, y of shape (B, 2)
OdeFunction tanh_field(const Tensor& W, const Tensor& b, const Tensor& c) {
  return [W, b, c](double t, const Tensor& y) { return tanh(matmul(y, W) + b) + t * c; };
}

struct Problem {
  Tensor y0, W, b, c, R;  // R weights the states at every time in the loss
  std::vector<Tensor> params() const { return {W, b, c}; }
};

Problem make_problem(int64_t batch, int64_t times, uint64_t seed) {
  Generator gen(seed);
  Problem p;
  p.y0 = randn({batch, 2}, kFloat64, &gen).requires_grad_();
  p.W = (0.8 * randn({2, 2}, kFloat64, &gen)).requires_grad_();
  p.b = (0.5 * randn({2}, kFloat64, &gen)).requires_grad_();
  p.c = (0.5 * randn({2}, kFloat64, &gen)).requires_grad_();
  p.R = randn({times, batch, 2}, kFloat64, &gen);
  return p;
}

// L = sum_k <R_k, y(t_k)>
Tensor loss_of(const Tensor& ys, const Tensor& R) { return (ys * R).sum(); }

std::vector<Tensor> grads_of(const Problem& p, const Tensor& loss) {
  std::vector<Tensor> inputs{p.y0, p.W, p.b, p.c};
  return autograd::grad({loss}, inputs);
}

double max_abs_diff(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

}  // namespace

TEST_CASE("odeint_adjoint: closed-form gradients of y' = k y", "[ode][adjoint]") {
  const double y0v = 1.3, kv = -0.6, T = 1.5;
  Tensor y0 = tensor(std::vector<double>{y0v}, {1}).requires_grad_();
  Tensor k = tensor(std::vector<double>{kv}, {1}).requires_grad_();
  OdeOptions o;
  o.method = OdeMethod::dopri5;
  o.rtol = 1e-10;
  o.atol = 1e-12;
  auto stats = std::make_shared<AdjointStats>();
  const Tensor ys = odeint_adjoint([k](double, const Tensor& y) { return k * y; }, y0, {0.0, T}, {k}, o, stats);
  CHECK(ys.select(0, 1).item() == Approx(y0v * std::exp(kv * T)).epsilon(1e-9));
  ys.select(0, 1).sum().backward();
  // the solver's error is a small multiple of rtol = 1e-10 for both the forward and the augmented system
  CHECK(y0.grad().item() == Approx(std::exp(kv * T)).epsilon(1e-8));
  CHECK(k.grad().item() == Approx(T * y0v * std::exp(kv * T)).epsilon(1e-8));
  CHECK(stats->forward.nfe > 0);
  CHECK(stats->backward.nfe > 0);
  CHECK(stats->backward.accepted_steps > 0);
}

TEST_CASE("odeint_adjoint agrees with backpropagation through the same fixed-step solver", "[ode][adjoint]") {
  const std::vector<double> times = {0.0, 0.3, 0.7, 1.0};
  const Problem p = make_problem(5, 4, 3);
  for (OdeMethod method : {OdeMethod::rk4, OdeMethod::midpoint}) {
    OdeOptions o;
    o.method = method;
    o.step_size = 1.0 / 400;
    const Tensor ys_bp = odeint(tanh_field(p.W, p.b, p.c), p.y0, times, o);
    const Tensor ys_adj = odeint_adjoint(tanh_field(p.W, p.b, p.c), p.y0, times, p.params(), o);
    CHECK(max_abs_diff(ys_bp, ys_adj) == 0);  // the forward is the same computation
    const auto g_bp = grads_of(p, loss_of(ys_bp, p.R));
    const auto g_adj = grads_of(p, loss_of(ys_adj, p.R));
    // both are the exact gradient up to the solver's global error: h = 1/400 gives ~h^4 ~ 4e-11 (RK4) or
    // ~h^2 ~ 6e-6 (midpoint) times O(1) constants of this smooth field; the bounds hold these with a margin of 10
    const double tol = method == OdeMethod::rk4 ? 1e-9 : 1e-4;
    for (size_t i = 0; i < g_bp.size(); ++i) {
      INFO(ode_method_name(method) << ", input " << i << ": " << g_bp[i] << " vs " << g_adj[i]);
      REQUIRE(g_adj[i].shape() == g_bp[i].shape());
      CHECK(max_abs_diff(g_bp[i], g_adj[i]) < tol);
    }
  }
}

TEST_CASE("odeint_adjoint backward in time (decreasing times) agrees with backpropagation", "[ode][adjoint]") {
  const std::vector<double> times = {1.0, 0.5, -0.25};
  const Problem p = make_problem(3, 3, 8);
  OdeOptions o;
  o.method = OdeMethod::rk4;
  o.step_size = 1.0 / 400;
  const auto g_bp = grads_of(p, loss_of(odeint(tanh_field(p.W, p.b, p.c), p.y0, times, o), p.R));
  const auto g_adj = grads_of(p, loss_of(odeint_adjoint(tanh_field(p.W, p.b, p.c), p.y0, times, p.params(), o), p.R));
  for (size_t i = 0; i < g_bp.size(); ++i) CHECK(max_abs_diff(g_bp[i], g_adj[i]) < 1e-9);
}

TEST_CASE("odeint_adjoint with dopri5 matches float64 finite differences", "[ode][adjoint]") {
  const std::vector<double> times = {0.0, 0.6, 1.2};
  const Problem p = make_problem(2, 3, 5);
  OdeOptions o;
  o.method = OdeMethod::dopri5;
  o.rtol = 1e-11;
  o.atol = 1e-12;
  // The finite differences differentiate the solver's output, whose step choices jump with the inputs; at
  // rtol 1e-11 those jumps are ~1e-11, i.e. ~1e-5 after dividing by 2 eps = 2e-6: atol 1e-4 covers them and the
  // adjoint's own solver error (~1e-10), and is far below the gradients' size (O(1)).
  GradcheckOptions g;
  g.eps = 1e-6;
  g.atol = 1e-4;
  g.rtol = 1e-4;
  const auto result = gradcheck(
      [&](const std::vector<Tensor>& in) {
        return loss_of(odeint_adjoint(tanh_field(in[1], in[2], in[3]), in[0], times, {in[1], in[2], in[3]}, o), p.R);
      },
      {p.y0, p.W, p.b, p.c}, g);
  INFO(result.message);
  CHECK(result.ok);
}

TEST_CASE("odeint_adjoint: memory does not grow with the number of steps, backprop's does", "[ode][adjoint]") {
  Generator gen(1);
  const int64_t batch = 256, hidden = 64;
  Tensor W1 = (0.3 * randn({2, hidden}, kFloat64, &gen)).requires_grad_();
  Tensor W2 = (0.3 * randn({hidden, 2}, kFloat64, &gen)).requires_grad_();
  const Tensor y0 = randn({batch, 2}, kFloat64, &gen);
  auto f = [&](double, const Tensor& y) { return matmul(tanh(matmul(y, W1)), W2); };
  // peak live bytes over one forward + backward, above what was live before
  auto peak = [&](bool adjoint, int64_t steps) {
    OdeOptions o;
    o.method = OdeMethod::rk4;
    o.step_size = 1.0 / static_cast<double>(steps);
    W1.set_grad(Tensor());
    W2.set_grad(Tensor());
    const int64_t before = cpu_memory_stats().bytes_in_use;
    cpu_reset_peak_memory_stats();
    {
      const Tensor ys = adjoint ? odeint_adjoint(f, y0, {0.0, 1.0}, {W1, W2}, o) : odeint(f, y0, {0.0, 1.0}, o);
      ys.select(0, 1).sum().backward();
    }
    return cpu_memory_stats().peak_bytes_in_use - before;
  };
  const int64_t adj10 = peak(true, 10), adj40 = peak(true, 40);
  const int64_t bp10 = peak(false, 10), bp40 = peak(false, 40);
  INFO("peak bytes: adjoint " << adj10 << " (10 steps), " << adj40 << " (40 steps); backprop " << bp10 << ", " << bp40);
  // one stage's activations are batch x hidden doubles = 128 KiB; backprop keeps a few per stage, 4 stages per
  // step, so its peak is c0 + c1 steps (measured: 11.4 MB at 10 steps, 43.8 MB at 40); the adjoint's was 0.88 MB
  // at both
  CHECK(adj40 <= adj10 * 11 / 10);  // constant (10% for allocator rounding)
  CHECK(bp40 > 3 * bp10);           // grows (nearly) linearly with the steps: 4x the steps
  CHECK(adj40 < bp40 / 10);
}

TEST_CASE("odeint_adjoint: bad inputs are clear errors", "[ode][adjoint]") {
  using Catch::Matchers::Contains;
  const Tensor y0 = tensor(std::vector<double>{1.0}, {1}).requires_grad_();
  REQUIRE_THROWS_WITH(odeint_adjoint([](double, const Tensor& y) { return y; }, y0, {0.0, 1.0}, {Tensor()}),
                      Contains("odeint_adjoint: params[0]"));
  REQUIRE_THROWS_WITH(odeint_adjoint([](double, const Tensor& y) { return y; }, y0, {1.0, 1.0}, {}),
                      Contains("strictly increasing"));
  // an in-place change of a parameter between forward and backward is refused
  Tensor k = tensor(std::vector<double>{0.5}, {1}).requires_grad_();
  const Tensor ys = odeint_adjoint([k](double, const Tensor& y) { return k * y; }, y0, {0.0, 1.0}, {k});
  k.bump_version();
  REQUIRE_THROWS_AS(ys.sum().backward(), Error);
  // second derivatives are refused, not silently wrong
  Tensor k2 = tensor(std::vector<double>{0.5}, {1}).requires_grad_();
  const Tensor ys2 = odeint_adjoint([k2](double, const Tensor& y) { return k2 * y; }, y0, {0.0, 1.0}, {k2});
  REQUIRE_THROWS_WITH(autograd::grad({ys2.sum()}, {k2}, {}, false, /*create_graph=*/true),
                      Contains("odeint_adjoint: second derivatives (create_graph) are not supported"));
}
