// Reductions: values against PyTorch 1.13 (float64; printed by a short
// script, numbers pasted below), gradients by gradcheck / gradgradcheck.
#include <cmath>
#include <limits>

#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::grad_of;
using dgm::test::leaf;
using dgm::test::uniform_values;
using dgm::test::wsum;
using V = std::vector<Tensor>;

namespace {
// [[1,5,3,5],[-2,0.5,-7,4],[2,2,-1,0]]: ties in rows 0 and 2, a zero in row 2.
Tensor sample() { return tensor(std::vector<double>{1, 5, 3, 5, -2, 0.5, -7, 4, 2, 2, -1, 0}, {3, 4}); }
std::vector<int64_t> ints(const Tensor& t) { return t.to_vector<int64_t>(); }
}  // namespace

TEST_CASE("var and std match torch", "[reduction]") {
  Tensor x = sample();
  check_values(x.var(), {11.384469696969695}, 1e-12);
  check_values(x.var({1}), {3.6666666666666665, 21.395833333333332, 2.25}, 1e-12);
  check_values(x.var({0}, /*unbiased=*/false), {2.888888888888889, 3.5, 16.88888888888889, 4.666666666666667}, 1e-12);
  check_values(x.std({1}), {1.9148542155126762, 4.625563028792639, 1.5}, 1e-12);
  REQUIRE(x.var({1}, true, true).shape() == Shape{3, 1});
  // var of a constant is exactly 0, even for large values (two-pass)
  check_values(full({1000}, 1e8, kFloat32).var(), {0.0}, 0);
}

TEST_CASE("amax, amin, max, min, argmax, argmin match torch", "[reduction]") {
  Tensor x = sample();
  check_values(x.amax({1}), {5, 4, 2});
  check_values(x.amin({0}), {-2, 0.5, -7, 0});
  check_values(x.max(), {5});
  check_values(x.min(), {-7});
  auto [v1, i1] = x.max(1);
  check_values(v1, {5, 4, 2});
  REQUIRE(ints(i1) == std::vector<int64_t>{1, 3, 0});  // first index on ties
  auto [v0, i0] = x.min(0, /*keepdim=*/true);
  REQUIRE(v0.shape() == Shape{1, 4});
  check_values(v0, {-2, 0.5, -7, 0});
  REQUIRE(ints(i0) == std::vector<int64_t>{1, 1, 1, 2});
  REQUIRE(i0.dtype() == kInt64);
  REQUIRE(x.argmax().item<int64_t>() == 1);
  REQUIRE(x.argmin().item<int64_t>() == 6);
  REQUIRE(x.argmax().dim() == 0);
  REQUIRE(x.argmax(std::nullopt, true).shape() == Shape{1, 1});
  REQUIRE(ints(x.argmax(1)) == std::vector<int64_t>{1, 3, 0});
  REQUIRE(ints(x.argmin(-2)) == std::vector<int64_t>{1, 1, 1, 2});
  // int64 inputs work (no gradient)
  Tensor xi = tensor(std::vector<int64_t>{3, 9, -4, 9}, {4});
  REQUIRE(xi.max().item<int64_t>() == 9);
  REQUIRE(xi.argmax().item<int64_t>() == 1);
}

TEST_CASE("max/min propagate NaN, argmax points at it", "[reduction]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = tensor(std::vector<double>{1, nan, 3, -1, 2, 0}, {2, 3});
  REQUIRE(std::isnan(x.max().item()));
  check_values(x.amax({1}), {nan, 2});
  auto [v, i] = x.max(1);
  check_values(v, {nan, 2});
  REQUIRE(ints(i) == std::vector<int64_t>{1, 1});
  REQUIRE(x.argmin().item<int64_t>() == 1);
}

TEST_CASE("amax/max gradients split ties evenly; max(dim) routes to the index", "[reduction]") {
  Tensor x = sample();
  // torch: x.amax(1).sum().backward()
  check_values(grad_of(x, [](const Tensor& t) { return t.amax({1}).sum(); }),
               {0, 0.5, 0, 0.5, 0, 0, 0, 1, 0.5, 0.5, 0, 0});
  check_values(grad_of(x, [](const Tensor& t) { return t.max(); }), {0, 0.5, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0});
  check_values(grad_of(x, [](const Tensor& t) { return std::get<0>(t.max(1)).sum(); }),
               {0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0});
}

TEST_CASE("logsumexp is stable and matches torch", "[reduction]") {
  Tensor x = sample();
  check_values(x.logsumexp({1}), {5.767164505306369, 4.032169795774755, 2.7816718231374824}, 1e-12);
  check_values(x.logsumexp({0, 1}), {5.971667999808761}, 1e-12);
  // huge and -inf inputs: log(e^1000 + e^1000) = 1000 + log 2; all -inf stays -inf
  const double inf = std::numeric_limits<double>::infinity();
  Tensor big = tensor(std::vector<double>{1000, 1000, -inf, -inf}, {2, 2});
  std::vector<double> l = big.logsumexp({1}).to_vector<double>();
  REQUIRE(l[0] == Approx(1000 + std::log(2.0)).epsilon(1e-14));
  REQUIRE(l[1] == -inf);
  check_values(tensor(std::vector<float>{-1000, -1000}).logsumexp({0}), {-1000 + std::log(2.0)}, 1e-3);
}

TEST_CASE("prod, cumsum, cumprod match torch", "[reduction]") {
  Tensor x = sample();
  check_values(x.prod(1), {75, 28, 0});
  check_values(x.prod(0), {-4, 5, 21, 0});
  check_values(x.prod(), {0});
  check_values(x.cumsum(1), {1, 6, 9, 14, -2, -1.5, -8.5, -4.5, 2, 4, 3, 3});
  check_values(x.cumsum(0), {1, 5, 3, 5, -1, 5.5, -4, 9, 1, 7.5, -5, 9});
  check_values(x.cumprod(1), {1, 5, 15, 75, -2, -1, 7, 28, 2, 4, -4, 0});
  check_values(x.cumprod(0), {1, 5, 3, 5, -2, 2.5, -21, 20, -4, 5, 21, 0});
  // on a transposed view, and int64 / bool inputs
  check_values(x.t().cumsum(0), {1, -2, 2, 6, -1.5, 4, 9, -8.5, 3, 14, -4.5, 3});
  REQUIRE(ints(tensor(std::vector<int64_t>{1, 2, 3}).cumprod(0)) == std::vector<int64_t>{1, 2, 6});
  REQUIRE(ints(tensor(std::vector<bool>{true, false, true}).cumsum(0)) == std::vector<int64_t>{1, 1, 2});
  // a wide line (parallel bands) against a running sum in double
  Tensor w = uniform_values({3, 40000}, -1, 1, 5);
  std::vector<double> wv = w.to_vector<double>(), c = w.cumsum(0).to_vector<double>();
  for (int64_t j = 0; j < 40000; j += 997)
    REQUIRE(std::fabs(c[2 * 40000 + j] - (wv[j] + wv[40000 + j] + wv[2 * 40000 + j])) < 1e-12);
}

TEST_CASE("prod and cumprod gradients with zeros match torch", "[reduction]") {
  // torch: z.prod().backward() for z = [2,0,3,-1] and [2,0,3,0]
  check_values(grad_of(tensor(std::vector<double>{2, 0, 3, -1}), [](const Tensor& t) { return t.prod(); }),
               {0, -6, 0, 0});
  check_values(grad_of(tensor(std::vector<double>{2, 0, 3, 0}), [](const Tensor& t) { return t.prod(); }),
               {0, 0, 0, 0});
  // torch: (z.cumprod(0) * [1,2,3,4,5]).sum().backward(), z = [2,0,3,0,5]
  Tensor wts = tensor(std::vector<double>{1, 2, 3, 4, 5});
  check_values(
      grad_of(tensor(std::vector<double>{2, 0, 3, 0, 5}), [&](const Tensor& t) { return (t.cumprod(0) * wts).sum(); }),
      {1, 22, 0, 0, 0});
  // a zero in the middle of (7,13,5) along dim 1: gradcheck through it
  Tensor z = uniform_values({7, 13, 5}, 0.5, 1.5, 3);
  {
    NoGradGuard ng;
    z.select(1, 4).select(1, 2).fill_(0.0);
    z.select(0, 2).select(0, 6).fill_(0.0);
  }
  z.requires_grad_();
  REQUIRE_GRADCHECK([](const V& in) { return in[0].prod(1); }, V{z});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].cumprod(1).sum({1}); }, V{z});
}

TEST_CASE("norm values and the zero gradient", "[reduction]") {
  Tensor x = sample();
  check_values(x.norm(), {11.757976016304847}, 1e-12);
  check_values(x.norm(1, {1}), {14, 13.5, 5});
  check_values(x.norm(std::numeric_limits<double>::infinity(), {0}), {2, 5, 7, 5});
  check_values(x.norm(3, {1}), {6.52651887934375, 7.459784749902885, 2.571281590658235}, 1e-12);
  check_values(x.norm(0.5, {1}), {51.900306909966574, 45.79325877881876, 14.656854249492381}, 1e-12);
  check_values(x.norm(0, {1}), {4, 4, 3});
  Tensor g = grad_of(zeros({3}, kFloat64), [](const Tensor& t) { return t.norm(); });
  check_values(g, {0, 0, 0}, 0);  // not NaN (torch gives 0)
  g = grad_of(zeros({2, 2}, kFloat64), [](const Tensor& t) { return t.norm(3, {1}).sum(); });
  check_values(g, {0, 0, 0, 0}, 0);
}

TEST_CASE("all and any", "[reduction]") {
  REQUIRE(tensor(std::vector<double>{1, 2, -3}).all().item<bool>());
  REQUIRE_FALSE(tensor(std::vector<double>{1, 0, -3}).all().item<bool>());
  REQUIRE(tensor(std::vector<double>{0, 0, 0.5}).any().item<bool>());
  REQUIRE_FALSE(zeros({2, 3}).any().item<bool>());
  REQUIRE(tensor(std::vector<bool>{true, true}).all().dtype() == kBool);
  REQUIRE(zeros({0}).all().item<bool>());
  REQUIRE_FALSE(zeros({0}).any().item<bool>());
}

TEST_CASE("sum over leading dims: fast path agrees and keeps float32 accurate", "[reduction]") {
  // (N, D) with N*D above the parallel grain: reference summed in double here
  const int64_t n = 3000, d = 37;
  Tensor x = uniform_values({n, d}, -1, 1, 9);
  std::vector<double> xv = x.to_vector<double>(), ref(d, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) ref[j] += xv[i * d + j];
  check_values(x.sum({0}), ref, 1e-10);
  check_values(x.to(kFloat32).sum({0}), ref, 1e-4, 1e-6);
  // (2, 3, 4) over dims {0, 1}, and the same through a non-contiguous view
  Tensor y = uniform_values({2, 3, 4}, -1, 1, 2);
  std::vector<double> yv = y.to_vector<double>(), yref(4, 0.0);
  for (size_t i = 0; i < yv.size(); ++i) yref[i % 4] += yv[i];
  check_values(y.sum({0, 1}), yref, 1e-12);
  check_values(y.permute({2, 0, 1}).sum({1, 2}), yref, 1e-12);
  // 10^6 float32 values of 0.1: naive float accumulation drifts by ~1e3 ulp
  check_values(full({1000000, 2}, 0.1, kFloat32).sum({0}), {100000.0, 100000.0}, 0, 1e-6);
  check_values(full({1000000}, 0.1, kFloat32).sum(), {100000.0}, 0, 1e-6);
}

TEST_CASE("sum of contiguous runs: every length around the 16 lanes, and a bias gradient's dims", "[reduction]") {
  // The CPU kernel sums a contiguous run in 16 lanes, then the tail: each length from 1 to 70, as the whole
  // tensor and as rows of a (3, n) matrix, against a sum in double here.
  for (int64_t n = 1; n <= 70; ++n) {
    INFO("n = " << n);
    Tensor x = uniform_values({3, n}, -1, 1, static_cast<uint64_t>(n));
    std::vector<double> xv = x.to_vector<double>(), rows(3, 0.0);
    double all = 0;
    for (int64_t i = 0; i < 3 * n; ++i) rows[i / n] += xv[i], all += xv[i];
    check_values(x.sum({1}), rows, 1e-12);
    check_values(x.sum(), {all}, 1e-12);
    check_values(x.to(kFloat32).sum({1}), rows, 1e-5);
  }
  // A conv bias gradient, g.sum({0, 2, 3}) of (N, C, H, W): runs of H * W = 35 within each (n, c) plane.
  Tensor g = uniform_values({3, 4, 5, 7}, -1, 1, 11);
  std::vector<double> gv = g.to_vector<double>(), per_channel(4, 0.0);
  for (size_t i = 0; i < gv.size(); ++i) per_channel[(i / 35) % 4] += gv[i];
  check_values(g.sum({0, 2, 3}), per_channel, 1e-12);
  check_values(g.to(kFloat32).sum({0, 2, 3}), per_channel, 1e-5);
}

TEST_CASE("reduction gradients (gradcheck, awkward and non-contiguous shapes)", "[reduction]") {
  Tensor a = leaf({7, 13, 5}), b = leaf({5, 7}, -1, 1, 4), c = leaf({6, 4}, 0.5, 2, 5);
  REQUIRE_GRADCHECK([](const V& in) { return in[0].var({1}); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].std({0, 2}, false, true); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].t().var({1}, true); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].amax({1}); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].t().amin({0, 1}); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return std::get<0>(in[0].max(2)); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return std::get<0>(in[0].t().min(1, true)); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].max() + in[0].min(); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].logsumexp({0, 2}); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].slice(1, 0, 7, 2).logsumexp({1}, true); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].prod(1, true); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].t().prod(); }, V{c});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].cumsum(1); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].t().cumsum(1).sum({0}); },
                    V{a.select(2, 0).detach().clone().requires_grad_()});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].cumprod(0); }, V{c});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].unsqueeze(0).expand({3, 6, 4}).cumprod(2); }, V{c});
  for (double p : {2.0, 1.0, 3.0, 0.5, std::numeric_limits<double>::infinity()}) {
    INFO("p = " << p);
    REQUIRE_GRADCHECK([p](const V& in) { return in[0].norm(p, {1}); }, V{a});
  }
  REQUIRE_GRADCHECK([](const V& in) { return in[0].t().norm(); }, V{b});
  REQUIRE_GRADCHECK([](const V& in) { return in[0].sum({0, 1}) + in[0].mean({2}, true).sum(); }, V{a});
}

TEST_CASE("reduction second derivatives (gradgradcheck)", "[reduction]") {
  Tensor a = leaf({3, 5, 2}), b = leaf({4, 3}, 0.5, 2, 6);
  REQUIRE_GRADGRADCHECK([](const V& in) { return (in[0] * in[0]).sum({1}); }, V{a});
  REQUIRE_GRADGRADCHECK([](const V& in) { return (in[0] * in[0]).t().mean({0}, true); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].norm(); }, V{a});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].norm(3, {1}); }, V{a});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].var({0}); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].logsumexp({1}); }, V{a});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].prod(0); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].cumprod(1); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].cumsum(0) * in[0]; }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].amax({1}) * in[0].amin({1}); }, V{b});
}

TEST_CASE("reduction errors name the op and shape", "[reduction]") {
  Tensor e = zeros({2, 0});
  REQUIRE_THROWS_WITH(e.amax({1}), Catch::Contains("amax") && Catch::Contains("(2,0)"));
  REQUIRE_THROWS_WITH(e.max(1), Catch::Contains("max") && Catch::Contains("size 0"));
  REQUIRE_THROWS_WITH(e.argmax(), Catch::Contains("argmax") && Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(zeros({2, 3}).cumsum(2), Catch::Contains("cumsum") && Catch::Contains("dim 2"));
  REQUIRE_THROWS_AS(zeros({2, 3}, kInt64).var(), dgm::Error);
  REQUIRE_THROWS_WITH(zeros({2}, kInt64).norm(), Catch::Contains("norm") && Catch::Contains("int64"));
  REQUIRE_THROWS_WITH(zeros({2}, kInt64).logsumexp({0}), Catch::Contains("logsumexp"));
}
