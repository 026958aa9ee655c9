// Elementwise ops: values against PyTorch 1.13 (float64; printed by a short
// script, numbers pasted below) or derived by hand, gradients by gradcheck /
// gradgradcheck on awkward, broadcast and non-contiguous shapes, and the
// PyTorch conventions at kinks checked by backward on tiny tensors.
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
const double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor vec(const std::vector<double>& v) { return tensor(v); }

// A weighted sum: one scalar output keeps gradcheck cheap, the fixed uneven
// weights still catch gradients routed to the wrong element.

// Gradient of f at x0 (a fresh leaf), by one backward.
}  // namespace

TEST_CASE("add broadcasts and reduces gradients back", "[elementwise]") {
  Tensor a = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = tensor(std::vector<float>{10, 20, 30}, {3});
  check_values(a + b, {11, 22, 33, 14, 25, 36});
  auto f = [](const std::vector<Tensor>& in) { return (in[0] * in[1]).sum(); };
  REQUIRE_GRADCHECK(f, (std::vector<Tensor>{leaf({7, 13, 5}), leaf({13, 1}, -1, 1, 2)}));
}

TEST_CASE("unary ops match libm", "[elementwise]") {
  Tensor x = tensor(std::vector<double>{0.5, 1.0, 2.0});
  check_values(exp(x), {std::exp(0.5), std::exp(1.0), std::exp(2.0)}, 1e-12);
  check_values(log(x), {std::log(0.5), 0.0, std::log(2.0)}, 1e-12);
}

// ================================ arithmetic ================================

TEST_CASE("add, sub with alpha, mul, div match torch", "[elementwise]") {
  Tensor a = tensor(std::vector<double>{1.5, -2, 3, 0.25, -4, 6}, {2, 3});
  Tensor b = vec({0.5, -3, 2});
  check_values(add(a, b, 2.5), {2.75, -9.5, 8.0, 1.5, -11.5, 11.0}, 1e-12);  // torch.add(a, b, alpha=2.5)
  check_values(a.sub(b, 0.5), {1.25, -0.5, 2.0, 0.0, -2.5, 5.0}, 1e-12);     // torch.sub(a, b, alpha=0.5)
  check_values(a * b, {0.75, 6.0, 6.0, 0.125, 12.0, 12.0}, 1e-12);
  check_values(a / b, {3.0, 0.6666666666666666, 1.5, 0.5, 1.3333333333333333, 3.0}, 1e-12);
  REQUIRE((a + b).shape() == Shape{2, 3});
  // int / int is true division into float32, as torch.div
  Tensor q = tensor(std::vector<int64_t>{7, -7, 3}) / tensor(std::vector<int64_t>{2, 2, -4});
  REQUIRE(q.dtype() == kFloat32);
  check_values(q, {3.5, -3.5, -0.75}, 0);
  // integer add/mul stay int64 and exact
  Tensor i =
      tensor(std::vector<int64_t>{3, -4}) * tensor(std::vector<int64_t>{5, 6}) + tensor(std::vector<int64_t>{1, 1});
  REQUIRE(i.dtype() == kInt64);
  REQUIRE(i.to_vector<int64_t>() == std::vector<int64_t>{16, -23});
}

TEST_CASE("binary arithmetic gradients: broadcast and non-contiguous", "[elementwise]") {
  Tensor a = leaf({7, 13, 5}), b = leaf({13, 1}, -1, 1, 2), pos = leaf({13, 1}, 0.5, 2, 3);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(add(in[0], in[1], 2.5)); }, (V{a, b}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sub(in[1], in[0], -0.75)); }, (V{a, b}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0] * in[1]); }, (V{a, b}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0] / in[1]); }, (V{a, pos}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[1] / (in[0] + 2.0)); }, (V{a, b}));
  // transposed, stepped-slice and expanded views built inside the function
  Tensor t = leaf({5, 13, 7}, -1, 1, 4), s = leaf({7, 26, 5}, -1, 1, 5), e = leaf({1, 5}, 0.5, 2, 6);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].transpose(0, 2) * in[1].slice(1, 0, 26, 2)); }, (V{t, s}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].slice(1, 1, 26, 2) / in[1].expand({7, 13, 5})); }, (V{s, e}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].transpose(0, 2) - in[1].expand({13, 5})); }, (V{t, e}));
}

TEST_CASE("operators with a double on either side", "[elementwise]") {
  Tensor x = vec({1, -2, 4});
  check_values(x + 2.5, {3.5, 0.5, 6.5}, 0);
  check_values(2.5 + x, {3.5, 0.5, 6.5}, 0);
  check_values(x - 1.5, {-0.5, -3.5, 2.5}, 0);
  check_values(1.5 - x, {0.5, 3.5, -2.5}, 0);
  check_values(x * -2.0, {-2, 4, -8}, 0);
  check_values(3.0 * x, {3, -6, 12}, 0);
  check_values(x / 4.0, {0.25, -0.5, 1}, 0);
  check_values(2.0 / x, {2, -1, 0.5}, 0);
  check_values(-x, {-1, 2, -4}, 0);
  Tensor y = x.clone();
  y += x;
  y *= vec({2, 2, 2});
  y -= x;
  y /= vec({3, 3, 3});
  check_values(y, {1, -2, 4}, 1e-15);
  Tensor l = leaf({7, 13, 5}, 0.5, 2);
  REQUIRE_GRADCHECK([](const V& in) { return wsum((2.0 - in[0]) * 3.0 + 1.5 / in[0] - in[0] / 4.0); }, V{l});
}

TEST_CASE("dtype promotion", "[elementwise]") {
  Tensor i = tensor(std::vector<int64_t>{1, 2, 3});
  Tensor f = tensor(std::vector<float>{0.5f, 0.25f, 2});
  Tensor d = vec({0.1, 0.2, 0.3});
  Tensor ip = i + 2.5;  // torch: int64 + 2.5 -> float32
  REQUIRE(ip.dtype() == kFloat32);
  check_values(ip, {3.5, 4.5, 5.5}, 0);
  REQUIRE((2.5 - i).dtype() == kFloat32);
  check_values(2.5 - i, {1.5, 0.5, -0.5}, 0);
  REQUIRE((i * 2.0).dtype() == kInt64);  // an integral double keeps the int dtype
  REQUIRE((i / 2.0).dtype() == kFloat32);
  check_values(i / 2.0, {0.5, 1, 1.5}, 0);
  REQUIRE((f + 2.5).dtype() == kFloat32);
  REQUIRE((d * 2.0).dtype() == kFloat64);
  Tensor fd = f + d;  // float32 + float64 -> float64
  REQUIRE(fd.dtype() == kFloat64);
  check_values(fd, {0.6, 0.45, 2.3}, 1e-15);
  REQUIRE((i + f).dtype() == kFloat32);
  check_values(i * f, {0.5, 0.5, 6}, 0);
  REQUIRE((i + d).dtype() == kFloat64);
  Tensor bl = tensor(std::vector<bool>{true, false, true});
  REQUIRE((bl + i).dtype() == kInt64);
  REQUIRE((bl + i).to_vector<int64_t>() == std::vector<int64_t>{2, 2, 4});
  // the gradient of a promoted input comes back in its own dtype
  Tensor fl = tensor(std::vector<float>{1, 2, 3}).requires_grad_();
  Tensor dl = vec({4, 5, 6}).requires_grad_();
  (fl * dl).sum().backward();
  REQUIRE(fl.grad().dtype() == kFloat32);
  check_values(fl.grad(), {4, 5, 6}, 0);
  check_values(dl.grad(), {1, 2, 3}, 0);
}

// ================================ unary ops ================================

TEST_CASE("unary values match torch", "[elementwise]") {
  Tensor x = vec({-2.5, -1.0, -0.3, 0.0, 0.4, 1.5, 3.0});
  Tensor q = vec({0.1, 0.5, 1.0, 2.0, 7.5});
  // torch 1.13: torch.exp(x) etc., float64
  check_values(exp(x),
               {0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1.0, 1.4918246976412703,
                4.4816890703380645, 20.085536923187668},
               1e-12);
  check_values(expm1(x),
               {-0.9179150013761012, -0.6321205588285577, -0.2591817793182821, 0.0, 0.49182469764127035,
                3.481689070338065, 19.085536923187668},
               1e-12);
  check_values(sin(x),
               {-0.5984721441039564, -0.8414709848078965, -0.29552020666133955, 0.0, 0.3894183423086505,
                0.9974949866040544, 0.1411200080598672},
               1e-12);
  check_values(cos(x),
               {-0.8011436155469337, 0.5403023058681398, 0.955336489125606, 1.0, 0.9210609940028851, 0.0707372016677029,
                -0.9899924966004454},
               1e-12);
  check_values(tanh(x),
               {-0.9866142981514303, -0.7615941559557649, -0.2913126124515909, 0.0, 0.3799489622552249,
                0.9051482536448664, 0.9950547536867305},
               1e-12);
  check_values(sigmoid(x),
               {0.07585818002124355, 0.2689414213699951, 0.425557483188341, 0.5, 0.598687660112452, 0.8175744761936437,
                0.9525741268224334},
               1e-12);
  check_values(erf(x),
               {-0.999593047982555, -0.8427007929497149, -0.3286267594591274, 0.0, 0.42839235504666845,
                0.9661051464753108, 0.9999779095030014},
               1e-12);
  check_values(abs(x), {2.5, 1.0, 0.3, 0.0, 0.4, 1.5, 3.0}, 0);
  check_values(sign(x), {-1, -1, -1, 0, 1, 1, 1}, 0);
  check_values(square(x), {6.25, 1.0, 0.09, 0.0, 0.16, 2.25, 9.0}, 1e-15);
  check_values(neg(x), {2.5, 1.0, 0.3, 0.0, -0.4, -1.5, -3.0}, 0);
  // torch 1.13: torch.log(q) etc.
  check_values(log(q), {-2.3025850929940455, -0.6931471805599453, 0.0, 0.6931471805599453, 2.0149030205422647}, 1e-12);
  check_values(log1p(q),
               {0.09531017980432487, 0.4054651081081644, 0.6931471805599453, 1.0986122886681098, 2.1400661634962708},
               1e-12);
  check_values(sqrt(q), {0.31622776601683794, 0.7071067811865476, 1.0, 1.4142135623730951, 2.7386127875258306}, 1e-12);
  check_values(rsqrt(q), {3.162277660168379, 1.414213562373095, 1.0, 0.7071067811865475, 0.3651483716701107}, 1e-12);
  check_values(reciprocal(q), {10.0, 2.0, 1.0, 0.5, 0.13333333333333333}, 1e-12);
  // methods agree with the free functions; float32 too
  check_values(x.to(kFloat32).tanh(), tanh(x).to_vector<double>(), 1e-6);
  check_values(q.to(kFloat32).rsqrt(), rsqrt(q).to_vector<double>(), 1e-6, 1e-6);
  // int64 abs/sign/neg/square stay int64; reciprocal of int is float32 (torch)
  Tensor i = tensor(std::vector<int64_t>{-3, 0, 4});
  REQUIRE(abs(i).to_vector<int64_t>() == std::vector<int64_t>{3, 0, 4});
  REQUIRE(sign(i).to_vector<int64_t>() == std::vector<int64_t>{-1, 0, 1});
  REQUIRE(neg(i).to_vector<int64_t>() == std::vector<int64_t>{3, 0, -4});
  REQUIRE(square(i).to_vector<int64_t>() == std::vector<int64_t>{9, 0, 16});
  REQUIRE(reciprocal(tensor(std::vector<int64_t>{2, -4})).dtype() == kFloat32);
  check_values(reciprocal(tensor(std::vector<int64_t>{2, -4})), {0.5, -0.25}, 0);
}

TEST_CASE("sigmoid is stable on both tails", "[elementwise]") {
  // torch 1.13: torch.sigmoid([-100, 100, -1000, 1000]) in float64
  Tensor x = vec({-100, 100, -1000, 1000});
  check_values(sigmoid(x), {3.7200759760208356e-44, 1.0, 0.0, 1.0}, 0, 1e-12);
  Tensor x32 = tensor(std::vector<float>{-100, 100}).requires_grad_();
  Tensor s = sigmoid(x32);
  s.sum().backward();
  check_values(s, {0, 1}, 1e-30);
  check_values(x32.grad(), {0, 0}, 1e-30);  // finite, not NaN
  check_values(tanh(vec({-1000, 1000})), {-1, 1}, 0);
}

TEST_CASE("unary gradients (gradcheck on (7,13,5), away from kinks)", "[elementwise]") {
  Tensor x = leaf({7, 13, 5});               // (-1, 1)
  Tensor p = leaf({7, 13, 5}, 0.2, 3, 2);    // positive: log, sqrt, rsqrt, reciprocal
  Tensor a = leaf({7, 13, 5}, 0.1, 1.5, 3);  // |x| away from 0, sign flipped below
  REQUIRE_GRADCHECK([](const V& in) { return wsum(neg(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(exp(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(expm1(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(log(in[0])); }, V{p});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(log1p(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sqrt(in[0])); }, V{p});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(rsqrt(in[0])); }, V{p});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(square(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(reciprocal(in[0])); }, V{p});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(abs(in[0] * (in[0] - 0.8).sign())); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sin(in[0]) + cos(in[0] * 2.0)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(tanh(in[0] * 2.0)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sigmoid(in[0] * 3.0)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(erf(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].sign() + in[0].floor() + in[0].round()); }, V{x});
  // non-contiguous inputs: transposed, stepped slice, expanded
  Tensor t = leaf({5, 13, 7}, 0.2, 3, 4), s = leaf({7, 26, 5}, -1, 1, 5), e = leaf({13, 1}, 0.2, 3, 6);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(log(in[0].transpose(0, 2))); }, V{t});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sqrt(in[0].transpose(0, 2))); }, V{t});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(exp(in[0].slice(1, 1, 26, 2))); }, V{s});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(tanh(in[0].slice(1, 0, 26, 2))); }, V{s});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(rsqrt(in[0].expand({7, 13, 5}))); }, V{e});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(sigmoid(in[0].expand({7, 13, 5}))); }, V{e});
}

TEST_CASE("unary gradients at kinks follow torch", "[elementwise]") {
  Tensor z = vec({-1.5, 0.0, 2.0});
  check_values(grad_of(z, [](const Tensor& t) { return t.abs().sum(); }), {-1, 0, 1}, 0);  // abs'(0) = 0
  check_values(grad_of(z, [](const Tensor& t) { return t.sign().sum(); }), {0, 0, 0}, 0);
  check_values(grad_of(vec({-1.5, 0.5, 2.5}), [](const Tensor& t) { return (t.floor() + t.round()).sum(); }), {0, 0, 0},
               0);
  // sqrt'(0) = inf, as torch
  std::vector<double> g = grad_of(vec({0.0}), [](const Tensor& t) { return t.sqrt().sum(); }).to_vector<double>();
  REQUIRE(std::isinf(g[0]));
}

TEST_CASE("floor and round (half to even) match torch", "[elementwise]") {
  Tensor r = vec({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.2, 2.6});
  // torch 1.13: torch.round(r), torch.floor(r)
  check_values(round(r), {-2, -2, -0.0, 0, 2, 2, -2, 1, 3}, 0);
  check_values(floor(r), {-3, -2, -1, 0, 1, 2, -2, 1, 2}, 0);
  check_values(r.to(kFloat32).round(), {-2, -2, -0.0, 0, 2, 2, -2, 1, 3}, 0);
  Tensor i = tensor(std::vector<int64_t>{-3, 7});
  REQUIRE(i.floor().to_vector<int64_t>() == std::vector<int64_t>{-3, 7});
  REQUIRE(i.round().dtype() == kInt64);
}

// ================================ pow ================================

TEST_CASE("pow: tensor exponent, scalar exponent, double base", "[elementwise]") {
  Tensor pb = vec({0.5, 1.0, 2.0, 3.0}), pe = vec({2.0, -1.5, 0.5, 3.0});
  // torch 1.13: torch.pow(pb, pe), torch.pow(pb, e), torch.pow(2.5, pe)
  check_values(pow(pb, pe), {0.25, 1.0, 1.4142135623730951, 27.0}, 1e-12);
  check_values(pb.pow(0.0), {1, 1, 1, 1}, 0);
  check_values(pb.pow(0.5), {0.7071067811865476, 1.0, 1.4142135623730951, 1.7320508075688772}, 1e-12);
  check_values(pb.pow(2.0), {0.25, 1.0, 4.0, 9.0}, 1e-12);
  check_values(pb.pow(-1.0), {2.0, 1.0, 0.5, 0.3333333333333333}, 1e-12);
  check_values(pow(2.5, pe), {6.25, 0.25298221281347033, 1.5811388300841898, 15.625}, 1e-12);
  // int64 base: integral power stays int64, fractional power goes to float32
  Tensor i = tensor(std::vector<int64_t>{2, 3, -2});
  REQUIRE(i.pow(3.0).dtype() == kInt64);
  REQUIRE(i.pow(3.0).to_vector<int64_t>() == std::vector<int64_t>{8, 27, -8});
  REQUIRE(i.pow(0.5).dtype() == kFloat32);
  check_values(i.pow(0.5).slice(0, 0, 2), {1.4142135623730951, 1.7320508075688772}, 1e-6);

  // torch 1.13: torch.pow(b, e).sum().backward()
  Tensor b = pb.clone().requires_grad_(), e = pe.clone().requires_grad_();
  pow(b, e).sum().backward();
  check_values(b.grad(), {1.0, -1.5, 0.3535533905932738, 27.0}, 1e-12);
  check_values(e.grad(), {-0.17328679513998632, 0.0, 0.9802581434685472, 29.662531794038966}, 1e-12);
  check_values(grad_of(pe, [](const Tensor& t) { return pow(2.5, t).sum(); }),
               {5.72681707421347, 0.23180525692999798, 1.4487828558124876, 14.317042685533673}, 1e-12);
  check_values(grad_of(pb, [](const Tensor& t) { return t.pow(0.0).sum(); }), {0, 0, 0, 0}, 0);
  check_values(grad_of(pb, [](const Tensor& t) { return t.pow(0.5).sum(); }),
               {0.7071067811865475, 0.5, 0.35355339059327373, 0.2886751345948129}, 1e-12);
  check_values(grad_of(pb, [](const Tensor& t) { return t.pow(2.0).sum(); }), {1, 2, 4, 6}, 1e-12);
  check_values(grad_of(pb, [](const Tensor& t) { return t.pow(-1.0).sum(); }), {-4.0, -1.0, -0.25, -0.1111111111111111},
               1e-12);
}

TEST_CASE("pow gradients at base 0 follow torch", "[elementwise]") {
  // torch 1.13: x = [0, 1], e = [0, 0.5]: x.grad = [0, 0.5], e.grad = [0, 0]
  Tensor x = vec({0, 1}).requires_grad_(), e = vec({0, 0.5}).requires_grad_();
  pow(x, e).sum().backward();
  check_values(x.grad(), {0, 0.5}, 0);
  check_values(e.grad(), {0, 0}, 0);
  // x = [0, 2], e = [2, 3]: x.grad = [0, 12], e.grad = [0, 8 log 2]
  x = vec({0, 2}).requires_grad_();
  e = vec({2, 3}).requires_grad_();
  pow(x, e).sum().backward();
  check_values(x.grad(), {0, 12}, 1e-12);
  check_values(e.grad(), {0, 8 * std::log(2.0)}, 1e-12);
}

TEST_CASE("pow gradients (gradcheck, broadcast, non-contiguous)", "[elementwise]") {
  Tensor a = leaf({7, 13, 5}, 0.3, 2), b = leaf({13, 1}, -1.5, 1.5, 2);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(pow(in[0], in[1])); }, (V{a, b}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(pow(in[1].abs() + 0.5, in[0])); }, (V{a, b}));
  for (double p : {0.0, 0.5, 2.0, -1.0, 3.0, -2.5}) {
    INFO("p = " << p);
    REQUIRE_GRADCHECK([p](const V& in) { return wsum(in[0].pow(p)); }, V{a});
  }
  REQUIRE_GRADCHECK([](const V& in) { return wsum(pow(0.7, in[0])); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].transpose(0, 2).pow(in[0].transpose(0, 2))); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(pow(in[0].slice(0, 0, 7, 3), 1.5)); }, V{a});
}

// ============================ clamp, min, max ============================

TEST_CASE("clamp: min only, max only, both; boundaries pass the gradient", "[elementwise]") {
  Tensor c = vec({-2, -1, -0.5, 0, 0.5, 1, 2});
  // torch 1.13: torch.clamp(c, min=-0.5), (c, max=0.5), (c, -1, 0.5) and their .sum().backward()
  check_values(clamp(c, -0.5, std::nullopt), {-0.5, -0.5, -0.5, 0, 0.5, 1, 2}, 0);
  check_values(c.clamp_max(0.5), {-2, -1, -0.5, 0, 0.5, 0.5, 0.5}, 0);
  check_values(c.clamp(-1.0, 0.5), {-1, -1, -0.5, 0, 0.5, 0.5, 0.5}, 0);
  check_values(grad_of(c, [](const Tensor& t) { return t.clamp(-1.0, 0.5).sum(); }), {0, 1, 1, 1, 1, 0, 0}, 0);
  check_values(grad_of(c, [](const Tensor& t) { return t.clamp_min(-0.5).sum(); }), {0, 0, 1, 1, 1, 1, 1}, 0);
  check_values(grad_of(c, [](const Tensor& t) { return t.clamp_max(0.5).sum(); }), {1, 1, 1, 1, 1, 0, 0}, 0);
  // NaN stays NaN; int64 clamps in int64
  check_values(vec({kNaN, 1}).clamp(0.0, 0.5), {kNaN, 0.5});
  Tensor i = tensor(std::vector<int64_t>{-5, 3, 9}).clamp(0.0, 4.0);
  REQUIRE(i.dtype() == kInt64);
  REQUIRE(i.to_vector<int64_t>() == std::vector<int64_t>{0, 3, 4});
  // gradcheck away from the bounds (uniform values almost surely miss them)
  Tensor x = leaf({7, 13, 5}, -2, 2);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].clamp(-0.7, 1.1)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].transpose(0, 1).clamp_min(0.3)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].slice(2, 0, 5, 2).clamp_max(-0.2)); }, V{x});
}

TEST_CASE("minimum and maximum: values, NaN, ties", "[elementwise]") {
  Tensor a = vec({1, kNaN, 3, 2, -1}), b = vec({2, 0, kNaN, 2, -4});
  // torch 1.13: torch.maximum(a, b), torch.minimum(a, b) (NaN propagates from either side)
  check_values(maximum(a, b), {2, kNaN, kNaN, 2, -1}, 0);
  check_values(minimum(a, b), {1, kNaN, kNaN, 2, -4}, 0);
  check_values(maximum(vec({1, 5}), tensor(std::vector<int64_t>{3, 3})), {3, 5}, 0);
  // broadcast (2,1) with (3)
  check_values(minimum(tensor(std::vector<double>{0, 2}, {2, 1}), vec({-1, 1, 3})), {-1, 0, 0, -1, 1, 2}, 0);
  // torch 1.13: torch.maximum(ta, tb).sum().backward(): ties split the gradient in half
  Tensor ta = vec({1, 5, 2, -3}).requires_grad_(), tb = vec({1, 4, 2, 0}).requires_grad_();
  maximum(ta, tb).sum().backward();
  check_values(ta.grad(), {0.5, 1, 0.5, 0}, 0);
  check_values(tb.grad(), {0.5, 0, 0.5, 1}, 0);
  ta = vec({1, 5, 2, -3}).requires_grad_();
  tb = vec({1, 4, 2, 0}).requires_grad_();
  minimum(ta, tb).sum().backward();
  check_values(ta.grad(), {0.5, 0, 0.5, 1}, 0);
  check_values(tb.grad(), {0.5, 1, 0.5, 0}, 0);
  // gradcheck without ties, broadcast and non-contiguous
  Tensor x = leaf({7, 13, 5}), y = leaf({13, 1}, -1, 1, 2), t = leaf({5, 13, 7}, -1, 1, 3);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(maximum(in[0], in[1])); }, (V{x, y}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(minimum(in[1], in[0])); }, (V{x, y}));
  REQUIRE_GRADCHECK([](const V& in) { return wsum(maximum(in[0], in[1].transpose(0, 2))); }, (V{x, t}));
}

// ============================ where, masked_fill ============================

TEST_CASE("where broadcasts its condition and routes gradients", "[elementwise]") {
  Tensor cond = tensor(std::vector<bool>{true, false}, {2, 1});
  Tensor a = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}), b = vec({-1, -2, -3});
  check_values(where(cond, a, b), {1, 2, 3, -1, -2, -3}, 0);
  check_values(where(cond, a, 0.5), {1, 2, 3, 0.5, 0.5, 0.5}, 0);
  check_values(where(cond, 7.0, b), {7, 7, 7, -1, -2, -3}, 0);
  // a (3) and b (2,1): all three broadcast to (2,3)
  check_values(where(tensor(std::vector<bool>{true, false, true}), b, tensor(std::vector<double>{10, 20}, {2, 1})),
               {-1, 10, -3, -1, 20, -3}, 0);
  // mixed dtypes promote
  Tensor m = where(cond, tensor(std::vector<int64_t>{1, 2, 3}), tensor(std::vector<float>{0.5f}));
  REQUIRE(m.dtype() == kFloat32);
  check_values(m, {1, 2, 3, 0.5, 0.5, 0.5}, 0);
  // gradients: where(c, g, 0) to a, where(c, 0, g) to b, summed back over broadcast dims
  Tensor ga = a.clone().requires_grad_(), gb = b.clone().requires_grad_();
  where(cond, ga, gb).sum().backward();
  check_values(ga.grad(), {1, 1, 1, 0, 0, 0}, 0);
  check_values(gb.grad(), {1, 1, 1}, 0);
  Tensor c = uniform_values({13, 1}, -1, 1, 9).gt(0.0);
  Tensor x = leaf({7, 13, 5}), y = leaf({5}, -1, 1, 2), s = leaf({7, 26, 5}, -1, 1, 3);
  REQUIRE_GRADCHECK([c](const V& in) { return wsum(where(c, in[0], in[1])); }, (V{x, y}));
  REQUIRE_GRADCHECK([c](const V& in) { return wsum(where(c, in[0].slice(1, 1, 26, 2), 2.0) * in[1]); }, (V{s, y}));
  REQUIRE_GRADCHECK([c](const V& in) { return wsum(where(c.logical_not(), -1.0, in[0].transpose(0, 1))); },
                    V{leaf({13, 7, 5}, -1, 1, 4)});
}

TEST_CASE("masked_fill", "[elementwise]") {
  Tensor x = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor mask = tensor(std::vector<bool>{true, false, true});
  check_values(x.masked_fill(mask, -1.5), {-1.5, 2, -1.5, -1.5, 5, -1.5}, 0);
  const double inf = std::numeric_limits<double>::infinity();
  REQUIRE(x.masked_fill(mask, -inf).to_vector<double>() == std::vector<double>{-inf, 2, -inf, -inf, 5, -inf});
  check_values(grad_of(x, [&](const Tensor& t) { return t.masked_fill(mask, 9.0).sum(); }), {0, 1, 0, 0, 1, 0}, 0);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(in[0].masked_fill(in[0].gt(0.2), 0.0)); }, V{leaf({7, 13, 5})});
  REQUIRE_THROWS_WITH(x.masked_fill(tensor(std::vector<int64_t>{1, 0, 1}), 0.0), Catch::Contains("bool"));
  // torch 1.13: torch.tensor([1, 2, 3]).masked_fill(torch.tensor([True, False, True]), 2.5) -> tensor([2, 2, 2])
  Tensor xi = tensor(std::vector<int64_t>{1, 2, 3});
  Tensor filled = xi.masked_fill(tensor(std::vector<bool>{true, false, true}), 2.5);
  REQUIRE(filled.dtype() == kInt64);
  REQUIRE(filled.to_vector<int64_t>() == std::vector<int64_t>{2, 2, 2});
  REQUIRE_THROWS_AS(xi.masked_fill(tensor(std::vector<bool>{true, false, true}), -INFINITY), dgm::Error);
}

// ======================= comparisons and logic =======================

TEST_CASE("comparisons and logical ops give bool tensors without gradient", "[elementwise]") {
  Tensor a = vec({1, 2, 3, kNaN}).requires_grad_(), b = vec({2, 2, 1, kNaN});
  auto bools = [](const Tensor& t) {
    REQUIRE(t.dtype() == kBool);
    REQUIRE_FALSE(t.requires_grad());
    return t.to_vector<bool>();
  };
  using B = std::vector<bool>;
  REQUIRE(bools(eq(a, b)) == B{false, true, false, false});
  REQUIRE(bools(ne(a, b)) == B{true, false, true, true});
  REQUIRE(bools(lt(a, b)) == B{true, false, false, false});
  REQUIRE(bools(le(a, b)) == B{true, true, false, false});
  REQUIRE(bools(gt(a, b)) == B{false, false, true, false});
  REQUIRE(bools(ge(a, b)) == B{false, true, true, false});
  REQUIRE(bools(a.gt(1.5)) == B{false, true, true, false});
  REQUIRE(bools(a.le(2.0)) == B{true, true, false, false});
  REQUIRE(bools(a.eq(3.0)) == B{false, false, true, false});
  REQUIRE(bools(a.ne(3.0)) == B{true, true, false, true});
  REQUIRE(bools(a.lt(1.0)) == B{false, false, false, false});
  REQUIRE(bools(a.ge(1.0)) == B{true, true, true, false});
  // broadcast and mixed dtypes
  Tensor col = tensor(std::vector<int64_t>{1, 3}, {2, 1});
  Tensor lc = lt(col, vec({0.5, 2.5, 3.5}));
  REQUIRE(lc.shape() == Shape{2, 3});
  REQUIRE(bools(lc) == B{false, true, true, false, false, true});
  // logic, on bool and on numbers (nonzero is true)
  Tensor p = tensor(std::vector<bool>{true, true, false, false}),
         q = tensor(std::vector<bool>{true, false, true, false});
  REQUIRE(bools(logical_and(p, q)) == B{true, false, false, false});
  REQUIRE(bools(logical_or(p, q)) == B{true, true, true, false});
  REQUIRE(bools(logical_not(p)) == B{false, false, true, true});
  REQUIRE(bools(logical_and(vec({0, 2, -1, 0}), tensor(std::vector<int64_t>{5, 0, 1, 0}))) ==
          B{false, false, true, false});
  REQUIRE(bools(vec({0, 0.5, kNaN}).logical_not()) == B{true, false, false});
  REQUIRE(bools(logical_or(tensor(std::vector<bool>{false, true}, {2, 1}), q)) ==
          B{true, false, true, false, true, true, true, true});
}

// ========================= second derivatives =========================

TEST_CASE("elementwise second derivatives (gradgradcheck)", "[elementwise]") {
  Tensor x = leaf({3, 5, 2}), p = leaf({3, 5, 2}, 0.3, 2, 2), b = leaf({5, 1}, -1, 1, 3), q = leaf({5, 1}, 0.5, 2, 4);
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0] * in[1]; }, (V{x, b}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0] / in[1]; }, (V{x, q}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return 1.5 / in[0] - in[0].reciprocal(); }, V{p});
  REQUIRE_GRADGRADCHECK([](const V& in) { return pow(in[0], in[1]); }, (V{p, b}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].pow(2.5) + in[0].pow(-1.0) + in[0].pow(0.5); }, V{p});
  REQUIRE_GRADGRADCHECK([](const V& in) { return pow(1.7, in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return exp(in[0]) + expm1(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return log(in[0]) + log1p(in[0]); }, V{p});
  REQUIRE_GRADGRADCHECK([](const V& in) { return sqrt(in[0]) + rsqrt(in[0]); }, V{p});
  REQUIRE_GRADGRADCHECK([](const V& in) { return tanh(in[0] * 2.0); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return sigmoid(in[0] * 2.0); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return erf(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return sin(in[0]) * cos(in[0]) + square(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return maximum(in[0], in[1]) * in[0]; }, (V{x, b}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return in[0].clamp(-0.5, 0.5) * in[0]; }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return where(in[0].gt(0.0), in[0] * in[0], in[1]); }, (V{x, b}));
}

// ================================ errors ================================

TEST_CASE("elementwise errors name the op, shapes and dtypes", "[elementwise]") {
  REQUIRE_THROWS_WITH(zeros({2, 3}) + zeros({4}),
                      Catch::Contains("add") && Catch::Contains("(2,3)") && Catch::Contains("(4)"));
  REQUIRE_THROWS_WITH(mul(zeros({2, 3}), zeros({3, 2})), Catch::Contains("(2,3)") && Catch::Contains("(3,2)"));
  REQUIRE_THROWS_WITH(neg(tensor(std::vector<bool>{true})), Catch::Contains("bool"));
  REQUIRE_THROWS_WITH(-tensor(std::vector<bool>{true}), Catch::Contains("neg"));
  REQUIRE_THROWS_WITH(where(tensor(std::vector<int64_t>{1, 0}), vec({1, 2}), vec({3, 4})),
                      Catch::Contains("where") && Catch::Contains("bool"));
  REQUIRE_THROWS_WITH(where(vec({1, 0}), vec({1, 2}), 0.0), Catch::Contains("where"));
  REQUIRE_THROWS_WITH(tensor(std::vector<int64_t>{1, 2}).requires_grad_(),
                      Catch::Contains("requires_grad_") && Catch::Contains("int64"));
  REQUIRE_THROWS_WITH(log(tensor(std::vector<int64_t>{1, 2})), Catch::Contains("log") && Catch::Contains("int64"));
  REQUIRE_THROWS_AS(sub(tensor(std::vector<bool>{true}), tensor(std::vector<bool>{false})), dgm::Error);
}

TEST_CASE("comparison operators give bool tensors like eq/lt/gt", "[elementwise]") {
  Tensor x = tensor(std::vector<float>{0, 100, 128, 129, 255});
  Tensor y = tensor(std::vector<float>{1, 100, 127, 200, 0});
  // Hand-derived from the values above.
  REQUIRE((x > 128.0).to_vector<bool>() == std::vector<bool>{false, false, false, true, true});
  REQUIRE((x >= 128.0).to_vector<bool>() == std::vector<bool>{false, false, true, true, true});
  REQUIRE((x < 100.0).to_vector<bool>() == std::vector<bool>{true, false, false, false, false});
  REQUIRE((x <= 100.0).to_vector<bool>() == std::vector<bool>{true, true, false, false, false});
  REQUIRE((x > y).to_vector<bool>() == std::vector<bool>{false, false, true, false, true});
  REQUIRE((x >= y).to_vector<bool>() == std::vector<bool>{false, true, true, false, true});
  REQUIRE((x < y).to_vector<bool>() == std::vector<bool>{true, false, false, true, false});
  REQUIRE((x <= y).to_vector<bool>() == std::vector<bool>{true, true, false, true, false});
  REQUIRE((x > 128.0).dtype() == kBool);
}
