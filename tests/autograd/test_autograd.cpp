// The autograd engine: accumulation, retain_graph, autograd::grad, higher
// order derivatives, grad mode, and memory release. Every expected gradient is
// derived by hand in the comment above it.
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;
using dgm::test::check_values;

namespace {
Tensor vec(std::vector<double> v) { return tensor(v).requires_grad_(); }
}  // namespace

TEST_CASE("backward twice with retain_graph accumulates into grad", "[autograd]") {
  Tensor x = vec({1, 2, 3});
  Tensor y = (x * x).sum();  // dy/dx = 2x
  y.backward(Tensor(), /*retain_graph=*/true);
  check_values(x.grad(), {2, 4, 6}, 0);
  y.backward();
  check_values(x.grad(), {4, 8, 12}, 0);
  CHECK(x.grad().dtype() == kFloat64);
  CHECK(!x.grad().requires_grad());
}

TEST_CASE("gradients can be reset or zeroed", "[autograd]") {
  Tensor x = vec({1, 2, 3});
  (x * 3.0).sum().backward();
  check_values(x.grad(), {3, 3, 3}, 0);
  x.set_grad(Tensor());
  CHECK(!x.grad().defined());
  (x * x).sum().backward();
  check_values(x.grad(), {2, 4, 6}, 0);
  x.grad().zero_();
  check_values(x.grad(), {0, 0, 0}, 0);
  (x * x).sum().backward();
  check_values(x.grad(), {2, 4, 6}, 0);
}

TEST_CASE("zeroing one leaf's grad leaves the others alone", "[autograd]") {
  // d(a + b)/da = d(a + b)/db = the same incoming gradient: the two grads must
  // not share memory.
  Tensor a = vec({1, 2}), b = vec({3, 4});
  (a + b).sum().backward();
  a.grad().zero_();
  check_values(b.grad(), {1, 1}, 0);
  // Nor may a leaf's grad alias the gradient the caller passed in.
  Tensor c = vec({5, 6});
  Tensor g = tensor(std::vector<double>{1, 1});
  c.backward(g);
  c.grad().mul_(3.0);
  check_values(g, {1, 1}, 0);
  // Nor an intermediate's retained grad.
  Tensor d = vec({1, 2});
  Tensor h = d + 0.0;
  h.retain_grad();
  h.sum().backward();
  d.grad().zero_();
  check_values(h.grad(), {1, 1}, 0);
}

TEST_CASE("backward through a freed graph says to pass retain_graph", "[autograd]") {
  Tensor x = vec({1, 2});
  Tensor y = (x.exp() * x).sum();
  y.backward();
  CHECK_THROWS_AS(y.backward(), Error);
  CHECK_THROWS_WITH(y.backward(), Contains("retain_graph"));
}

TEST_CASE("backward on a non-scalar needs a gradient", "[autograd]") {
  Tensor x = vec({1, 2, 3, 4, 5, 6});
  Tensor y = x.reshape({2, 3}) * 2.0;
  CHECK_THROWS_WITH(y.backward(), Contains("(2,3)") && Contains("scalar"));
  CHECK_THROWS_WITH(y.backward(ones({3, 2}, kFloat64)), Contains("(3,2)") && Contains("(2,3)"));
  // With a gradient v: x.grad = 2 v (flattened back to x's shape).
  y.backward(tensor(std::vector<double>{1, 0, -1, 2, 0.5, 0}, {2, 3}));
  check_values(x.grad(), {2, 0, -2, 4, 1, 0}, 0);
}

TEST_CASE("autograd::grad w.r.t. leaves and intermediates", "[autograd]") {
  Tensor x = vec({1, -2, 0.5});
  Tensor h = x * x;                    // intermediate
  Tensor y = (h * h * 0.5 + x).sum();  // y = sum(x^4 / 2 + x)
  auto g = autograd::grad({y}, {x, h}, {}, /*retain_graph=*/true);
  REQUIRE(g.size() == 2);
  check_values(g[0], {2 * 1 + 1, 2 * -8 + 1, 2 * 0.125 + 1}, 1e-12);  // dy/dx = 2x^3 + 1
  check_values(g[1], {1, 4, 0.25}, 1e-12);                            // dy/dh = h (x held fixed)
  CHECK(!x.grad().defined());                                         // autograd::grad leaves .grad alone
  CHECK(!g[0].requires_grad());
  // With a gradient for a non-scalar output: vector-Jacobian product.
  auto gv = autograd::grad({h}, {x}, {tensor(std::vector<double>{1, 2, 3})});
  check_values(gv[0], {2 * 1 * 1, 2 * -2 * 2, 2 * 0.5 * 3}, 1e-12);  // v * 2x
}

TEST_CASE("autograd::grad with allow_unused", "[autograd]") {
  Tensor x = vec({1, 2}), z = vec({3, 4});
  Tensor y = (x * x).sum();
  CHECK_THROWS_WITH(autograd::grad({y}, {x, z}, {}, true), Contains("allow_unused"));
  auto g = autograd::grad({y}, {x, z}, {}, false, false, /*allow_unused=*/true);
  check_values(g[0], {2, 4}, 0);
  CHECK(!g[1].defined());
}

TEST_CASE("create_graph gives exact second derivatives", "[autograd]") {
  // d/dx x^3 = 3x^2, d2/dx2 = 6x; through pow and through products.
  Tensor x = vec({0.5, 2, -1.5});
  for (Tensor y : {x.pow(3.0).sum(), (x * x * x).sum()}) {
    auto g = autograd::grad({y}, {x}, {}, false, /*create_graph=*/true);
    check_values(g[0], {0.75, 12, 6.75}, 1e-12);
    CHECK(g[0].requires_grad());
    auto gg = autograd::grad({g[0].sum()}, {x});
    check_values(gg[0], {3, 12, -9}, 1e-12);
  }
  // Mixed partial of f = a^2 b^3: df/da = 2ab^3, d2f/dbda = 6ab^2.
  Tensor a = vec({1.5}), b = vec({-2});
  Tensor f = (a * a * b * b * b).sum();
  auto fa = autograd::grad({f}, {a}, {}, false, true);
  check_values(fa[0], {2 * 1.5 * -8}, 1e-12);
  auto fab = autograd::grad({fa[0].sum()}, {b});
  check_values(fab[0], {6 * 1.5 * 4}, 1e-12);
  // backward(create_graph) leaves a differentiable x.grad.
  Tensor s = vec({0.3, -0.7});
  (s.sin() * s).sum().backward(Tensor(), false, /*create_graph=*/true);  // grad = sin s + s cos s
  REQUIRE(s.grad().requires_grad());
  auto s2 = autograd::grad({s.grad().sum()}, {s});  // 2 cos s - s sin s
  check_values(s2[0], {2 * std::cos(0.3) - 0.3 * std::sin(0.3), 2 * std::cos(-0.7) + 0.7 * std::sin(-0.7)}, 1e-12);
}

TEST_CASE("gradient penalty differentiated w.r.t. the parameters", "[autograd]") {
  // f(x; w) = sum sin(w x);  df/dx = w cos(w x);  P = ||df/dx||^2 = sum w^2 cos^2(w x)
  // dP/dw = 2w cos^2(wx) - 2 w^2 x sin(wx) cos(wx)
  // dP/dx = -2 w^3 sin(wx) cos(wx)
  std::vector<double> wv{0.7, -1.3, 2.0}, xv{0.4, 1.1, -0.6};
  Tensor w = vec(wv), x = vec(xv);
  Tensor f = (w * x).sin().sum();
  Tensor dx = autograd::grad({f}, {x}, {}, false, /*create_graph=*/true)[0];
  Tensor penalty = (dx * dx).sum();
  penalty.backward();
  std::vector<double> dw_expected, dx_expected;
  for (size_t i = 0; i < 3; ++i) {
    const double W = wv[i], X = xv[i], s = std::sin(W * X), c = std::cos(W * X);
    dw_expected.push_back(2 * W * c * c - 2 * W * W * X * s * c);
    dx_expected.push_back(-2 * W * W * W * s * c);
  }
  check_values(w.grad(), dw_expected, 1e-12);
  check_values(x.grad(), dx_expected, 1e-12);
}

TEST_CASE("NoGradGuard and detach stop the graph", "[autograd]") {
  Tensor x = vec({1, 2});
  {
    NoGradGuard no_grad;
    CHECK(!GradMode::is_enabled());
    Tensor y = x * 2.0;
    CHECK(!y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    { NoGradGuard nested; }
    CHECK(!GradMode::is_enabled());  // the inner guard restores "off"
  }
  CHECK(GradMode::is_enabled());
  CHECK((x * 2.0).requires_grad());

  // y = detach(x) * x: only the second factor carries gradient, dy/dx = x.
  Tensor d = x.detach();
  CHECK(!d.requires_grad());
  CHECK(d.is_leaf());
  (d * x).sum().backward();
  check_values(x.grad(), {1, 2}, 0);
  // detach shares memory with x.
  CHECK(d.raw_data() == x.raw_data());
}

TEST_CASE("retain_grad keeps an intermediate's gradient", "[autograd]") {
  Tensor x = vec({1, 2, 3});
  Tensor h = x * x;
  Tensor k = x * 2.0;
  h.retain_grad();
  (h * h + k).sum().backward();  // dL/dh = 2h; dL/dx = 4x^3 + 2
  check_values(h.grad(), {2, 8, 18}, 0);
  CHECK(!k.grad().defined());  // not retained
  check_values(x.grad(), {6, 34, 110}, 0);
}

TEST_CASE("a tensor used twice sums its gradients", "[autograd]") {
  // a = 2x; y = a*a + a -> dy/dx = (2a + 1) * 2 = 8x + 2
  Tensor x = vec({1, -0.5});
  Tensor a = x * 2.0;
  (a * a + a).sum().backward();
  check_values(x.grad(), {10, -2}, 1e-12);
  // Diamond: b = x.exp(), c = b.sin(), d = b * 3, y = c + d -> dy/dx = (cos(b) + 3) b
  Tensor z = vec({0.2, 0.9});
  Tensor b = z.exp();
  (b.sin() + b * 3.0).sum().backward();
  std::vector<double> expected;
  for (double v : {0.2, 0.9}) expected.push_back((std::cos(std::exp(v)) + 3) * std::exp(v));
  check_values(z.grad(), expected, 1e-12);
}

TEST_CASE("backward frees the graph's saved tensors", "[autograd]") {
  Tensor x = test::uniform_values({100000}, -1, 1, 3).requires_grad_();
  const int64_t base = cpu_memory_stats().bytes_in_use;
  {
    Tensor y = (x.exp() * x.sin() * x).sum();
    const int64_t forward = cpu_memory_stats().bytes_in_use;
    CHECK(forward >= base + 3 * 800000);  // at least exp(x), sin(x) and a product are held
    y.backward();
    x.set_grad(Tensor());
    // Only y itself (one scalar) is left.
    CHECK(cpu_memory_stats().bytes_in_use <= base + 4096);
  }
  CHECK(cpu_memory_stats().bytes_in_use == base);
  {
    // With retain_graph the saved tensors live as long as y does.
    Tensor y = (x.exp() * x.sin()).sum();
    y.backward(Tensor(), /*retain_graph=*/true);
    x.set_grad(Tensor());
    CHECK(cpu_memory_stats().bytes_in_use >= base + 2 * 800000);
  }
  CHECK(cpu_memory_stats().bytes_in_use == base);
}

TEST_CASE("only floating point tensors can require grad", "[autograd]") {
  CHECK_THROWS_AS(zeros({3}, kInt64).requires_grad_(), Error);
  CHECK_THROWS_WITH(zeros({3}, kBool).requires_grad_(), Contains("bool"));
  CHECK_NOTHROW(zeros({3}, kFloat32).requires_grad_());
  Tensor y = vec({1}) * 2.0;
  CHECK_THROWS_AS(y.requires_grad_(false), Error);  // a non-leaf always requires grad
}

TEST_CASE("in-place ops refuse a tensor that requires grad, except under NoGradGuard", "[autograd]") {
  // The graph cannot see an in-place update, so with grad mode on it is an error; under NoGradGuard
  // (an optimizer step) it writes the data and leaves the leaf a leaf that requires grad.
  Tensor w = vec({1, 2});
  CHECK_THROWS_WITH(w.add_(1.0), Contains("add_: in-place update of a tensor that requires grad"));
  CHECK_THROWS_WITH(w.zero_(), Contains("NoGradGuard"));
  check_values(w, {1, 2}, 0);
  {
    NoGradGuard no_grad;
    w.mul_(3.0).add_(1.0);  // w = 3w + 1
  }
  check_values(w, {4, 7}, 0);
  CHECK(w.is_leaf());
  CHECK(w.requires_grad());
  Tensor plain = tensor(std::vector<double>{1, 2});
  plain.fill_(5.0);  // needs no grad: allowed with grad mode on
  check_values(plain, {5, 5}, 0);
}

TEST_CASE("a leaf's grad is a contiguous tensor of its own", "[autograd]") {
  // sum's backward expands a scalar: the stored grad must not be a stride-0 view.
  Tensor x = vec({1, 2, 3, 4}).reshape({2, 2}).detach().requires_grad_();
  x.sum().backward();
  CHECK(x.grad().is_contiguous());
  x.grad().add_(tensor(std::vector<double>{1, 2, 3, 4}, {2, 2}));  // in place, element by element
  check_values(x.grad(), {2, 3, 4, 5}, 0);
}

TEST_CASE("check_finite names the op that produced a NaN", "[autograd][debug]") {
  Tensor ok = tensor(std::vector<float>{1, 2});
  REQUIRE_NOTHROW(autograd::check_finite(ok, "mul", "forward"));
  Tensor bad = log(tensor(std::vector<float>{1, -1}));
  REQUIRE_THROWS_WITH(autograd::check_finite(bad, "log", "forward"),
                      Catch::Contains("log") && Catch::Contains("NaN/Inf") && Catch::Contains("(2)"));
  Tensor inf = tensor(std::vector<float>{1, 0}).reciprocal();
  REQUIRE_THROWS_AS(autograd::check_finite(inf, "reciprocal", "backward"), dgm::Error);
}

TEST_CASE("dump_graph shows ops, leaves and shared nodes", "[autograd][debug]") {
  Tensor x = ones({3}).requires_grad_();
  Tensor c = ones({3});
  Tensor e = exp(x);
  Tensor y = e * e + c;
  std::string g = autograd::dump_graph(y);
  // add(mul(exp(x), exp(x)), c): the second use of exp is printed as a reference.
  REQUIRE(g ==
          "add (3)\n"
          "  mul (3)\n"
          "    exp (3)\n"
          "      leaf (3)\n"
          "    exp (3) (see above)\n"
          "  (no grad)\n");
  REQUIRE(autograd::dump_graph(x) == "leaf (3)\n");
  REQUIRE(autograd::dump_graph(c) == "constant (3)\n");
}
