// odeint (models/ode/odeint.h) on initial value problems with closed-form solutions, all in float64:
//   y' = -y            y(t) = y0 e^{-t}
//   y' = cos(t) y      y(t) = y0 e^{sin t}      (non-autonomous: the stage times matter)
//   y' = y             y(t) = e^t
//   x'' = -x           (x, v)(t) = (cos t, -sin t)  (harmonic oscillator as a 2-vector)
// * the fixed-step methods' observed order of convergence from step halving: p_obs = log2(e(h) / e(h/2));
// * dopri5's global error within a small multiple of its tolerance, its NFE bookkeeping and its error cases.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dgm.h"
#include "models/ode/odeint.h"

using namespace dgm;
using namespace dgm::models::ode;

namespace {

OdeFunction decay() {
  return [](double, const Tensor& y) { return -y; };
}
OdeFunction cos_growth() {
  return [](double t, const Tensor& y) { return std::cos(t) * y; };
}
OdeFunction oscillator() {
  // (x, v)' = (v, -x)
  return [](double, const Tensor& y) { return stack({y.select(0, 1), -y.select(0, 0)}, 0); };
}

// |y_N(1) - y(1)| with N equal steps on [0, 1]
double final_error(const OdeFunction& f, double exact, OdeMethod method, int64_t steps) {
  OdeOptions o;
  o.method = method;
  const Tensor ys = odeint(f, tensor(std::vector<double>{1.0}, {1}), linspace_times(0, 1, steps + 1), o);
  return std::abs(ys.select(0, steps).item() - exact);
}

}  // namespace

TEST_CASE("odeint: Euler, midpoint and RK4 converge with orders 1, 2 and 4 under step halving", "[ode][odeint]") {
  struct Problem {
    const char* name;
    OdeFunction f;
    double exact;
  };
  const std::vector<Problem> problems = {{"y' = -y", decay(), std::exp(-1.0)},
                                         {"y' = cos(t) y", cos_growth(), std::exp(std::sin(1.0))}};
  const std::vector<std::pair<OdeMethod, double>> methods = {
      {OdeMethod::euler, 1}, {OdeMethod::midpoint, 2}, {OdeMethod::rk4, 4}};
  for (const auto& problem : problems) {
    for (const auto& [method, order] : methods) {
      // h = 1/32, 1/64, 1/128. The global error is C h^p (1 + O(h)), so p_obs = p + O(h), the deviation halving
      // with h: midpoint on y' = cos(t) y, the worst case, is 0.12 off at h = 1/16 -> 1/32 and 0.06 at 1/32 -> 1/64
      // (the same recursions in NumPy float64). float64 round-off (~1e-16 per step) is far below the smallest error
      // here, RK4's ~1e-11 at h = 1/128. 0.1 separates the orders 1, 2, 4 cleanly.
      const double e32 = final_error(problem.f, problem.exact, method, 32);
      const double e64 = final_error(problem.f, problem.exact, method, 64);
      const double e128 = final_error(problem.f, problem.exact, method, 128);
      INFO(problem.name << " with " << ode_method_name(method) << ": errors " << e32 << ", " << e64 << ", " << e128);
      CHECK(std::abs(std::log2(e32 / e64) - order) < 0.1);
      CHECK(std::abs(std::log2(e64 / e128) - order) < 0.1);
    }
  }
}

TEST_CASE("odeint: rows are the states at every time, and fixed-step NFE is steps times stages", "[ode][odeint]") {
  const std::vector<std::pair<OdeMethod, int64_t>> stages = {
      {OdeMethod::euler, 1}, {OdeMethod::midpoint, 2}, {OdeMethod::rk4, 4}};
  for (const auto& [method, evals] : stages) {
    OdeOptions o;
    o.method = method;
    OdeStats stats;
    const Tensor y0 = tensor(std::vector<double>{1.0, -2.0, 0.5}, {3});
    const Tensor ys = odeint(decay(), y0, linspace_times(0, 2, 201), o, &stats);
    REQUIRE(ys.shape() == Shape{201, 3});
    CHECK(stats.nfe == 200 * evals);
    CHECK(stats.accepted_steps == 200);
    CHECK(stats.rejected_steps == 0);
    CHECK(ys.select(0, 0).to_vector<double>() == y0.to_vector<double>());  // row 0 is y0 itself
    // h = 0.01. Euler on y' = -y gives y0 (1 - h)^{t/h} = y0 e^{-t} exp(-t (h/2 + h^2/3 + ...)), so its error is
    // at most |y0| e^{-t} t (h/2 + h^2/3 + ...) <= |y0| e^{-t} t h/2 (1 + h); midpoint and RK4 are far inside it.
    const double h = 0.01;
    for (int64_t k : {50, 137, 200}) {
      const double t = h * static_cast<double>(k);
      for (int64_t i = 0; i < 3; ++i) {
        const double y0i = y0.select(0, i).item();
        CHECK(std::abs(ys.index({k, i}).item() - y0i * std::exp(-t)) <=
              std::abs(y0i) * std::exp(-t) * t * h / 2 * (1 + h));
      }
    }
  }
  // step_size cuts each interval into ceil(|interval| / step_size) equal steps
  OdeOptions o;
  o.method = OdeMethod::rk4;
  o.step_size = 0.1;
  OdeStats stats;
  const Tensor ys = odeint(decay(), tensor(std::vector<double>{1.0}, {1}), {0.0, 0.25, 1.0}, o, &stats);
  CHECK(stats.accepted_steps == 3 + 8);  // 0.25 / 0.1 -> 3 steps, 0.75 / 0.1 -> 8 steps
  CHECK(stats.nfe == 4 * 11);
  CHECK(ys.select(0, 1).item() == Approx(std::exp(-0.25)).epsilon(1e-6));
  CHECK(ys.select(0, 2).item() == Approx(std::exp(-1.0)).epsilon(1e-6));
}

TEST_CASE("odeint: integrating backwards in time recovers the initial value", "[ode][odeint]") {
  for (OdeMethod method : {OdeMethod::rk4, OdeMethod::dopri5}) {
    OdeOptions o;
    o.method = method;
    o.rtol = 1e-9;
    o.atol = 1e-12;
    // from y(1) = e^{sin 1} back to t = 0 on y' = cos(t) y: y(0.5) = e^{sin 0.5}, y(0) = 1
    const Tensor ys =
        odeint(cos_growth(), tensor(std::vector<double>{std::exp(std::sin(1.0))}, {1}), linspace_times(1, 0, 101), o);
    INFO(ode_method_name(method));
    // RK4 with h = 0.01: error ~ C h^4 ~ 1e-9; dopri5 at rtol 1e-9: a small multiple of 1e-9
    CHECK(std::abs(ys.select(0, 50).item() - std::exp(std::sin(0.5))) < 1e-7);
    CHECK(std::abs(ys.select(0, 100).item() - 1.0) < 1e-7);
  }
}

TEST_CASE("odeint(dopri5): global error within a small multiple of the tolerance on closed-form problems",
          "[ode][odeint][dopri5]") {
  // The controller bounds the local error per step by ~tol; the global error is the propagated sum of those, so
  // it may exceed tol by a factor of order (number of steps) x (growth of the problem). We check 10 x tol.
  for (double rtol : {1e-4, 1e-7, 1e-10}) {
    const double atol = rtol * 1e-3;
    OdeOptions o;
    o.method = OdeMethod::dopri5;
    o.rtol = rtol;
    o.atol = atol;
    INFO("rtol " << rtol);
    {  // y' = y on [0, 2], outputs at 0, 0.5, ..., 2 (landing exactly on each)
      OdeStats stats;
      const Tensor ys = odeint([](double, const Tensor& y) { return y; }, tensor(std::vector<double>{1.0}, {1}),
                               linspace_times(0, 2, 5), o, &stats);
      for (int64_t k = 0; k < 5; ++k) {
        const double exact = std::exp(0.5 * static_cast<double>(k));
        CHECK(std::abs(ys.select(0, k).item() - exact) <= 10 * (atol + rtol * exact));
      }
      // FSAL: one f for k1 at t0, one for the first-step rule, then 6 per attempted step
      CHECK(stats.nfe == 2 + 6 * (stats.accepted_steps + stats.rejected_steps));
      CHECK(stats.accepted_steps >= 4);
    }
    {  // harmonic oscillator over one period [0, 2 pi]
      OdeStats stats;
      const double two_pi = 2 * M_PI;
      const Tensor ys =
          odeint(oscillator(), tensor(std::vector<double>{1.0, 0.0}, {2}), {0.0, two_pi / 3, two_pi}, o, &stats);
      for (int64_t k = 1; k < 3; ++k) {
        const double t = k == 1 ? two_pi / 3 : two_pi;
        CHECK(std::abs(ys.index({k, 0}).item() - std::cos(t)) <= 10 * (atol + rtol));
        CHECK(std::abs(ys.index({k, 1}).item() + std::sin(t)) <= 10 * (atol + rtol));
      }
    }
  }
}

TEST_CASE("odeint(dopri5): tighter tolerance costs more evaluations and gives a smaller error",
          "[ode][odeint][dopri5]") {
  double previous_error = 1, previous_nfe = 0;
  for (double rtol : {1e-3, 1e-6, 1e-9}) {
    OdeOptions o;
    o.method = OdeMethod::dopri5;
    o.rtol = rtol;
    o.atol = rtol * 1e-3;
    OdeStats stats;
    const Tensor ys = odeint(cos_growth(), tensor(std::vector<double>{1.0}, {1}), {0.0, 10.0}, o, &stats);
    const double error = std::abs(ys.select(0, 1).item() - std::exp(std::sin(10.0)));
    INFO("rtol " << rtol << ": error " << error << ", nfe " << stats.nfe);
    CHECK(error < previous_error);
    CHECK(stats.nfe > previous_nfe);
    previous_error = error;
    previous_nfe = static_cast<double>(stats.nfe);
  }
}

TEST_CASE("odeint(dopri5): float32 state, and a graph through the steps when f records one", "[ode][odeint][dopri5]") {
  OdeOptions o;
  o.method = OdeMethod::dopri5;
  o.rtol = 1e-5;
  o.atol = 1e-7;
  // y' = k y: y(1) = y0 e^k, so dy(1)/dk = y0 e^k
  Tensor k = tensor(std::vector<float>{-0.7f}, {1}).requires_grad_();
  const Tensor ys =
      odeint([&](double, const Tensor& y) { return k * y; }, tensor(std::vector<float>{2.0f}, {1}), {0.0, 1.0}, o);
  REQUIRE(ys.dtype() == kFloat32);
  CHECK(ys.select(0, 1).item() == Approx(2 * std::exp(-0.7)).epsilon(1e-4));
  ys.select(0, 1).sum().backward();
  CHECK(k.grad().item() == Approx(2 * std::exp(-0.7)).epsilon(1e-3));
}

TEST_CASE("odeint rejects bad times, methods, shapes and budgets with clear errors", "[ode][odeint]") {
  const Tensor y0 = tensor(std::vector<double>{1.0}, {1});
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0, 1.0, 0.5}), Contains("strictly increasing or strictly decreasing"));
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0, 0.0}), Contains("strictly increasing"));
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0}), Contains("at least 2 points"));
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0, NAN}), Contains("finite"));
  REQUIRE_THROWS_AS(parse_ode_method("rk45"), Error);
  REQUIRE_THROWS_WITH(parse_ode_method("rk45"), Contains("unknown method 'rk45'") && Contains("dopri5"));
  CHECK(parse_ode_method("dopri5") == OdeMethod::dopri5);
  OdeOptions o;
  o.method = OdeMethod::rk4;
  REQUIRE_THROWS_WITH(odeint(
                          [](double, const Tensor& y) {
                            return cat({y, y}, 0);
                          },
                          y0, {0.0, 1.0}, o),
                      Contains("odeint(rk4): f returned shape (2) for y of shape (1)"));
  o.method = OdeMethod::dopri5;
  REQUIRE_THROWS_WITH(odeint(
                          [](double, const Tensor& y) {
                            return cat({y, y}, 0);
                          },
                          y0, {0.0, 1.0}, o),
                      Contains("odeint(dopri5): f returned shape (2)"));
  o.rtol = 1e-12;
  o.atol = 1e-14;
  o.max_num_steps = 50;
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0, 100.0}, o), Contains("max_num_steps = 50"));
  o.max_num_steps = 100000;
  o.rtol = -1;
  REQUIRE_THROWS_WITH(odeint(decay(), y0, {0.0, 1.0}, o), Contains("rtol and atol"));
  o.rtol = 1e-6;
  // f = inf after t = 0.5: the error estimate is not finite
  REQUIRE_THROWS_WITH(odeint([](double t, const Tensor& y) { return t > 0.5 ? y * INFINITY : y; }, y0, {0.0, 1.0}, o),
                      Contains("non-finite"));
  REQUIRE_THROWS_WITH(odeint(decay(), tensor(std::vector<int64_t>{1}, {1}), {0.0, 1.0}), Contains("floating point"));
}
