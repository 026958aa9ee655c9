// Activations: values and gradients at kinks against PyTorch 1.13 (float64;
// printed by a short script, numbers pasted below), gradients by gradcheck /
// gradgradcheck away from the kinks, and the large-input tails.
#include <cmath>
#include <limits>

#include "tensor/kernels/elu.h"
#include "tensor/kernels/silu.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::grad_of;
using dgm::test::leaf;
using dgm::test::uniform_values;
using dgm::test::wsum;
using V = std::vector<Tensor>;

namespace {
// The inputs every value check below uses, and the points where gradients are checked.
Tensor sample() { return tensor(std::vector<double>{-3.0, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5}); }
Tensor kinks() { return tensor(std::vector<double>{-1.0, 0.0, 1.0}); }

}  // namespace

TEST_CASE("relu and leaky_relu match torch, kinks included", "[activation]") {
  Tensor x = sample();
  // torch 1.13: F.relu(x), F.leaky_relu(x, 0.2), F.leaky_relu(x)
  check_values(relu(x), {0, 0, 0, 0, 0.3, 1, 2.5}, 0);
  check_values(x.relu(), {0, 0, 0, 0, 0.3, 1, 2.5}, 0);
  check_values(leaky_relu(x, 0.2), {-0.6, -0.2, -0.04, 0.0, 0.3, 1.0, 2.5}, 1e-15);
  check_values(leaky_relu(x), {-0.03, -0.01, -0.002, 0.0, 0.3, 1.0, 2.5}, 1e-15);
  // torch: relu'(0) = 0, leaky_relu'(0) = slope
  check_values(grad_of(kinks(), [](const Tensor& t) { return relu(t).sum(); }), {0, 0, 1}, 0);
  check_values(grad_of(kinks(), [](const Tensor& t) { return leaky_relu(t, 0.2).sum(); }), {0.2, 0.2, 1}, 1e-15);
  // int64 relu stays int64; NaN propagates (torch.relu(nan) = nan)
  REQUIRE(relu(tensor(std::vector<int64_t>{-2, 3})).to_vector<int64_t>() == std::vector<int64_t>{0, 3});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  check_values(relu(tensor(std::vector<double>{nan, -1, 2})), {nan, 0, 2});
  check_values(leaky_relu(tensor(std::vector<double>{nan})), {nan});
  // float32
  check_values(relu(x.to(kFloat32)), {0, 0, 0, 0, 0.3, 1, 2.5}, 1e-7);
  REQUIRE(leaky_relu(x.to(kFloat32)).dtype() == kFloat32);
}

TEST_CASE("elu and selu match torch", "[activation]") {
  Tensor x = sample();
  // torch 1.13: F.elu(x), F.elu(x, alpha=0.5), F.selu(x)
  check_values(elu(x), {-0.950212931632136, -0.6321205588285577, -0.18126924692201818, 0.0, 0.3, 1.0, 2.5}, 1e-12);
  check_values(elu(x, 0.5), {-0.475106465816068, -0.31606027941427883, -0.09063462346100909, 0.0, 0.3, 1.0, 2.5},
               1e-12);
  check_values(selu(x),
               {-1.6705687287671118, -1.1113307378125625, -0.3186893435295005, 0.0, 0.31521029620664415,
                1.0507009873554805, 2.626752468388701},
               1e-12);
  // torch: F.elu(z, alpha=0.5) and F.selu(z) gradients at z = [-1, 0, 1] (alpha resp. scale*alpha at 0)
  check_values(grad_of(kinks(), [](const Tensor& t) { return elu(t, 0.5).sum(); }), {0.18393972058572117, 0.5, 1.0},
               1e-12);
  check_values(grad_of(kinks(), [](const Tensor& t) { return selu(t).sum(); }),
               {0.646768603034814, 1.7580993408473766, 1.0507009873554805}, 1e-12);
  // large inputs: exp overflows in the unused branch, the gradient must not be NaN
  // (torch 1.13, float32: F.elu grad at [100, -100] = [1, 3.78e-44]; F.selu: [1.0507010, 6.59e-44])
  Tensor big = tensor(std::vector<float>{100, -100, 1000});
  check_values(grad_of(big, [](const Tensor& t) { return elu(t).sum(); }), {1, 0, 1}, 1e-30);
  check_values(grad_of(big, [](const Tensor& t) { return selu(t).sum(); }), {1.0507009873554805, 0, 1.0507009873554805},
               1e-30, 1e-6);
  check_values(elu(big), {100, -1, 1000}, 0);
  check_values(grad_of(tensor(std::vector<double>{800}), [](const Tensor& t) { return elu(t).sum(); }), {1}, 0);
}

TEST_CASE("silu and gelu (none and tanh) match torch", "[activation]") {
  Tensor x = sample();
  // torch 1.13: F.silu(x), F.gelu(x), F.gelu(x, approximate='tanh')
  check_values(silu(x),
               {-0.14227761953270035, -0.2689414213699951, -0.09003320053750444, 0.0, 0.1723327550434977,
                0.7310585786300049, 2.3103545499468914},
               1e-12);
  check_values(gelu(x),
               {-0.00404969409489031, -0.15865525393145702, -0.0841480581121794, 0.0, 0.1853734266566858,
                0.841344746068543, 2.4844758366855597},
               1e-12);
  check_values(gelu(x, "tanh"),
               {-0.0036373920817729943, -0.15880800939172324, -0.08414857021789374, 0.0, 0.18537092354275922,
                0.8411919906082768, 2.484915733910001},
               1e-12);
  // torch 1.13: gradients at z = [-1, 0, 1]
  check_values(grad_of(kinks(), [](const Tensor& t) { return silu(t).sum(); }),
               {0.07232948812851325, 0.5, 0.9276705118714869}, 1e-12);
  check_values(grad_of(kinks(), [](const Tensor& t) { return gelu(t).sum(); }),
               {-0.08331547058768635, 0.5, 1.0833154705876864}, 1e-12);
  check_values(grad_of(kinks(), [](const Tensor& t) { return gelu(t, "tanh").sum(); }),
               {-0.08296408384578252, 0.5, 1.0829640838457826}, 1e-12);
  // tails: silu(-1000) = 0 and gelu(±1000) = (0, 1000) with finite gradients
  Tensor tails = tensor(std::vector<float>{-1000, 1000});
  check_values(silu(tails), {0, 1000}, 0);
  check_values(gelu(tails), {0, 1000}, 0);
  check_values(gelu(tails, "tanh"), {0, 1000}, 0);
  check_values(grad_of(tails, [](const Tensor& t) { return (silu(t) + gelu(t) + gelu(t, "tanh")).sum(); }), {0, 3},
               1e-6);
  REQUIRE_THROWS_WITH(gelu(x, "erf"), Catch::Contains("gelu") && Catch::Contains("erf"));
}

TEST_CASE("elu's fused CPU gradient: float32 on many threads against the float64 formula, NaN, errors",
          "[activation]") {
  // 40000 values (over kParallelGrain) in [-12, 12]; reference: g if x > 0 else g alpha exp(x), in float64
  Tensor x64 = uniform_values({8, 5000}, -12, 12, 23), x = x64.to(kFloat32);
  Tensor g = uniform_values({8, 5000}, -1, 1, 24).to(kFloat32);
  const std::vector<double> xs = x.to_vector<double>(), gs = g.to_vector<double>();
  std::vector<double> dx_ref;
  for (size_t i = 0; i < xs.size(); ++i) dx_ref.push_back(xs[i] > 0 ? gs[i] : gs[i] * 0.7 * std::exp(xs[i]));
  // float32: exp_f32 (2.3e-7 relative) and two products on values below 1 in size
  Tensor leaf32 = x.clone().requires_grad_();
  elu(leaf32, 0.7).backward(g);
  check_values(leaf32.grad(), dx_ref, 1e-6, 1e-6);
  // float64 and a transposed input: the fused gradient against the composite's (grad mode on: the formula in ops)
  Tensor xt = uniform_values({30, 40}, -3, 3, 25).t().detach().requires_grad_(),
         r = uniform_values({40, 30}, -1, 1, 26);
  std::vector<Tensor> fused = autograd::grad({(elu(xt, 0.7) * r).sum()}, {xt});
  std::vector<Tensor> composed = autograd::grad({(elu(xt, 0.7) * r).sum()}, {xt}, {}, false, /*create_graph=*/true);
  check_values(fused[0], composed[0].to_vector<double>(), 1e-15, 1e-15);
  // NaN in, NaN out (no silent number)
  Tensor nan_leaf = tensor(std::vector<float>{NAN, -1, 2}).requires_grad_();
  elu(nan_leaf).sum().backward();
  const std::vector<double> dn = nan_leaf.grad().to_vector<double>();
  CHECK(std::isnan(dn[0]));
  CHECK(std::abs(dn[1] - std::exp(-1.0)) < 1e-6);
  CHECK(dn[2] == 1.0);
  REQUIRE_THROWS_WITH(kernels::elu_backward(zeros({3}), zeros({4}), 1.0),
                      Catch::Contains("elu_backward") && Catch::Contains("(3)") && Catch::Contains("(4)"));
  REQUIRE_THROWS_WITH(kernels::elu_backward(zeros({4, 3}).t(), zeros({3, 4}), 1.0),
                      Catch::Contains("elu_backward") && Catch::Contains("contiguous"));
}

TEST_CASE("silu's fused CPU kernels: float32 on many threads against float64 formulas, errors", "[activation]") {
  // 40000 values (over kParallelGrain, so the loops split across threads) in [-12, 12], float32; reference: the
  // closed forms x s and s (1 + x (1 - s)), s = 1 / (1 + exp(-x)), in float64 element by element
  Tensor x64 = uniform_values({8, 5000}, -12, 12, 21), x = x64.to(kFloat32);
  Tensor g64 = uniform_values({8, 5000}, -1, 1, 22);
  std::vector<double> y_ref, dx_ref;
  const std::vector<double> xs = x.to_vector<double>(), gs = g64.to(kFloat32).to_vector<double>();
  for (size_t i = 0; i < xs.size(); ++i) {
    const double s = 1.0 / (1.0 + std::exp(-xs[i]));
    y_ref.push_back(xs[i] * s);
    dx_ref.push_back(gs[i] * s * (1.0 + xs[i] * (1.0 - s)));
  }
  // float32: a few roundings of 6e-8 relative each (expf, the products) on values up to 12; 1e-5 leaves a margin
  check_values(silu(x), y_ref, 1e-5, 1e-5);
  Tensor leaf32 = x.clone().requires_grad_();
  silu(leaf32).backward(g64.to(kFloat32));
  check_values(leaf32.grad(), dx_ref, 1e-5, 1e-5);
  // NaN stays NaN (no silent number), at both widths
  REQUIRE(std::isnan(silu(tensor(std::vector<float>{NAN})).item<double>()));
  REQUIRE(std::isnan(silu(tensor(std::vector<double>{NAN})).item<double>()));
  // the kernels' own checks name the kernel and the operands
  REQUIRE_THROWS_WITH(kernels::silu_backward(zeros({3}), zeros({4})),
                      Catch::Contains("silu_backward") && Catch::Contains("(3)") && Catch::Contains("(4)"));
  REQUIRE_THROWS_WITH(kernels::silu_forward(zeros({4, 3}).t()),
                      Catch::Contains("silu_forward") && Catch::Contains("contiguous"));
  REQUIRE_THROWS_WITH(kernels::silu_forward(zeros({3}, kInt64)),
                      Catch::Contains("silu_forward") && Catch::Contains("floating point"));
}

TEST_CASE("softplus: beta, threshold, stable tails", "[activation]") {
  Tensor x = sample();
  // torch 1.13: F.softplus(x), F.softplus(x, beta=2, threshold=3)
  check_values(softplus(x),
               {0.04858735157374206, 0.31326168751822286, 0.5981388693815918, 0.6931471805599453, 0.8543552444685272,
                1.3132616875182228, 2.5788897342925496},
               1e-12);
  check_values(softplus(x, 2, 3),
               {0.0012378425688652247, 0.06346400552148625, 0.2565076261999763, 0.34657359027997264, 0.5187439752429428,
                1.0634640055214863, 2.5},
               1e-12);
  // torch 1.13: F.softplus([-800, -30, 30, 800]): no overflow, x itself above the threshold
  check_values(softplus(tensor(std::vector<double>{-800, -30, 30, 800})), {0.0, 9.357622968839737e-14, 30.0, 800.0}, 0,
               1e-12);
  check_values(softplus(tensor(std::vector<float>{-100, 100})), {0, 100}, 1e-30);
  // torch 1.13: gradients at z = [-1, 0, 1]; with beta=2, threshold=1 the last is above it (1)
  check_values(grad_of(kinks(), [](const Tensor& t) { return softplus(t).sum(); }),
               {0.2689414213699951, 0.5, 0.7310585786300049}, 1e-12);
  check_values(grad_of(kinks(), [](const Tensor& t) { return softplus(t, 2, 1).sum(); }),
               {0.11920292202211755, 0.5, 1.0}, 1e-12);
  REQUIRE_THROWS_WITH(softplus(tensor(std::vector<int64_t>{1})), Catch::Contains("softplus"));
}

TEST_CASE("activation gradients (gradcheck on (7,13,5), away from kinks)", "[activation]") {
  // |x| >= 0.05 so no finite difference straddles a kink at 0
  Tensor x = (uniform_values({7, 13, 5}, 0.05, 2, 1) * uniform_values({7, 13, 5}, -1, 1, 2).sign()).requires_grad_();
  REQUIRE_GRADCHECK([](const V& in) { return wsum(relu(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(leaky_relu(in[0], 0.2)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(elu(in[0], 0.7)); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(selu(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(silu(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(gelu(in[0])); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(gelu(in[0], "tanh")); }, V{x});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(softplus(in[0])); }, V{x});
  // beta=2, threshold=1.5: some x lie above the switch at 0.75 (none within the step of it)
  REQUIRE_GRADCHECK([](const V& in) { return wsum(softplus(in[0], 2, 1.5)); }, V{x});
  // non-contiguous inputs: transposed, stepped slice, expanded
  Tensor t = leaf({5, 13, 7}, 0.1, 2, 3), s = leaf({7, 26, 5}, -2, -0.1, 4), e = leaf({13, 1}, -2, 2, 5);
  REQUIRE_GRADCHECK([](const V& in) { return wsum(relu(in[0].transpose(0, 2))); }, V{t});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(leaky_relu(in[0].slice(1, 1, 26, 2))); }, V{s});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(elu(in[0].slice(1, 0, 26, 2))); }, V{s});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(gelu(in[0].expand({7, 13, 5}))); }, V{e});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(silu(in[0].expand({7, 13, 5}))); }, V{e});
  REQUIRE_GRADCHECK([](const V& in) { return wsum(softplus(in[0].transpose(0, 2), 0.5)); }, V{t});
}

TEST_CASE("activation second derivatives (gradgradcheck)", "[activation]") {
  Tensor x = (uniform_values({3, 5, 2}, 0.05, 2, 6) * uniform_values({3, 5, 2}, -1, 1, 7).sign()).requires_grad_();
  REQUIRE_GRADGRADCHECK([](const V& in) { return softplus(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return softplus(in[0], 3, 2); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return leaky_relu(in[0], 0.2) * in[0]; }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return relu(in[0]) * in[0]; }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return elu(in[0], 0.7); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return selu(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return silu(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return gelu(in[0]); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return gelu(in[0], "tanh"); }, V{x});
}
