// The CPU's fused group norm (tensor/kernels/group_norm.h through
// nn/functional/group_norm_fused.h): values against a plain float64 loop,
// with and without the affine, several spatial shapes (none, 1-D, 2-D), a
// non-contiguous input, first derivatives by finite differences, second
// derivatives through create_graph, the composite's gradient (the formula)
// against the kernel's, and sums over samples that do not depend on the
// thread count.
#include <cmath>

#include "tensor/kernels/group_norm.h"
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;
using test::leaf;
using test::uniform_values;
using V = std::vector<Tensor>;

namespace {

// GroupNorm of x (N, C, *) in G groups in float64, by hand: each (sample, group) holds C/G channels of S values.
std::vector<double> reference(const Tensor& x, int64_t groups, const std::vector<double>& w,
                              const std::vector<double>& b, double eps = 1e-5) {
  const int64_t n = x.size(0), c = x.size(1), s = x.numel() / (n * c), row = c / groups * s;
  std::vector<double> v = x.contiguous().to_vector<double>(), y(v.size());
  for (int64_t r = 0; r < n * groups; ++r) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < row; ++k) mean += v[r * row + k] / static_cast<double>(row);
    for (int64_t k = 0; k < row; ++k) var += (v[r * row + k] - mean) * (v[r * row + k] - mean) / row;
    for (int64_t k = 0; k < row; ++k) {
      const int64_t ch = (r % groups) * (c / groups) + k / s;
      y[r * row + k] =
          (v[r * row + k] - mean) / std::sqrt(var + eps) * (w.empty() ? 1.0 : w[ch]) + (b.empty() ? 0.0 : b[ch]);
    }
  }
  return y;
}

}  // namespace

TEST_CASE("fused group_norm matches a float64 loop: affine or not, any trailing dims, strided input",
          "[nn][group_norm]") {
  Tensor w = uniform_values({6}, 0.5, 1.5, 3), b = uniform_values({6}, -1, 1, 4);
  const std::vector<double> wv = w.to_vector<double>(), bv = b.to_vector<double>();
  for (DType dt : {kFloat64, kFloat32}) {
    INFO("dtype " << dtype_name(dt));
    const double tol = dt == kFloat64 ? 1e-12 : 2e-5;
    for (const Shape& shape : {Shape{3, 6}, Shape{2, 6, 7}, Shape{2, 6, 5, 9}}) {
      INFO("shape " << shape_str(shape));
      Tensor x = uniform_values(shape, -2, 3, 1).to(dt);
      for (int64_t groups : {1, 2, 3, 6}) {
        INFO("groups " << groups);
        test::check_values(group_norm(x, groups, w.to(dt), b.to(dt)), reference(x, groups, wv, bv), tol, tol);
        test::check_values(group_norm(x, groups), reference(x, groups, {}, {}), tol, tol);
        test::check_values(group_norm(x, groups, w.to(dt)), reference(x, groups, wv, {}), tol, tol);
      }
    }
    // an NHWC tensor viewed as NCHW (not contiguous)
    Tensor nhwc = uniform_values({2, 4, 3, 6}, -1, 2, 5).to(dt).permute({0, 3, 1, 2});
    REQUIRE_FALSE(nhwc.is_contiguous());
    test::check_values(group_norm(nhwc, 3, w.to(dt), b.to(dt)), reference(nhwc, 3, wv, bv), tol, tol);
  }
  // float32 values far from zero (1000 +- 0.01, spread 1e-5 of their size): the statistics are taken in double, and
  // the mean's rounding to float32 is folded into the shift, so the standardized values (of size ~1) keep float32's
  // relative precision: within 1e-5 of the float64 loop on the same float32 inputs
  Tensor big = (uniform_values({2, 4, 8, 8}, -1e-2, 1e-2, 6) + 1000.0).to(kFloat32);
  test::check_values(group_norm(big, 2), reference(big.to(kFloat64), 2, {}, {}), 1e-5, 1e-5);
}

TEST_CASE("fused group_norm gradients: finite differences, second order, the formula", "[nn][group_norm]") {
  Tensor w = leaf({6}, 0.5, 1.5, 11), b = leaf({6}, -1, 1, 12);
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0], 3, in[1], in[2]); },
                    (V{leaf({2, 6, 3, 4}, -1, 1, 13), w, b}));
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0], 2); }, V{leaf({3, 6, 5}, -1, 1, 14)});
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0], 6, in[1]); }, (V{leaf({2, 6}, -1, 1, 15), w}));
  // a transposed (non-contiguous) input and output gradient
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0].transpose(2, 3), 2, in[1], in[2]).transpose(1, 3); },
                    (V{leaf({2, 6, 3, 5}, -1, 1, 16), w, b}));
  // create_graph takes the gradient formula in differentiable ops (group_norm_grad): the same first derivatives as
  // the fused backward ...
  for (bool affine : {true, false}) {
    INFO("affine " << affine);
    Tensor x = leaf({3, 6, 4, 5}, -1, 1, 18);
    const Tensor wa = affine ? w : Tensor(), ba = affine ? b : Tensor();
    std::vector<Tensor> inputs = affine ? V{x, w, b} : V{x};
    Tensor y1 = test::wsum(group_norm(x, 3, wa, ba));
    Tensor y2 = test::wsum(group_norm(x, 3, wa, ba));
    std::vector<Tensor> fused = autograd::grad({y1}, inputs);
    std::vector<Tensor> composed = autograd::grad({y2}, inputs, {}, false, /*create_graph=*/true);
    for (size_t i = 0; i < inputs.size(); ++i)
      test::check_values(composed[i], fused[i].to_vector<double>(), 1e-12, 1e-12);
  }
  // ... and their derivatives
  REQUIRE_GRADGRADCHECK([](const V& in) { return group_norm(in[0], 3, in[1], in[2]); },
                        (V{leaf({2, 6, 2, 2}, -1, 1, 19), w, b}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return group_norm(in[0], 2); }, V{leaf({2, 6, 3}, -1, 1, 20)});
}

TEST_CASE("fused group_norm float32 gradients match float64's, also far from zero", "[nn][group_norm]") {
  // the float32 kernel (alpha, beta, gamma rounded to float32) against the float64 one on the same inputs
  for (double offset : {0.0, 1000.0}) {
    INFO("offset " << offset);
    // float32 values for both runs (x rounded to float32 first: at 1000 by up to 3e-5, 5e-5 of the spread)
    Tensor x = (uniform_values({3, 6, 6, 8}, -1, 1, 40) + offset).to(kFloat32).to(kFloat64);
    Tensor r = uniform_values({3, 6, 6, 8}, -1, 1, 41);
    Tensor w = uniform_values({6}, 0.5, 1.5, 42), b = uniform_values({6}, -1, 1, 43);
    std::vector<Tensor> grads[2];  // [float64, float32]: dx, dweight, dbias
    for (DType dt : {kFloat64, kFloat32}) {
      Tensor xd = x.to(dt).detach().requires_grad_(), wd = w.to(dt).detach().requires_grad_();
      Tensor bd = b.to(dt).detach().requires_grad_();
      (group_norm(xd, 3, wd, bd) * r.to(dt)).sum().backward();
      grads[dt == kFloat32] = {xd.grad(), wd.grad(), bd.grad()};
    }
    // dx is of size ~ rstd ~ 1.7, dweight and dbias sums of 3 x 48 terms of size <= 2
    for (int i = 0; i < 3; ++i) {
      INFO("gradient " << i);
      REQUIRE(grads[1][i].dtype() == kFloat32);
      test::check_values(grads[1][i], grads[0][i].to_vector<double>(), 1e-4, 1e-4);
    }
  }
}

TEST_CASE("fused group_norm: weight and bias gradients do not depend on the number of threads", "[nn][group_norm]") {
  const int threads = get_num_threads();
  auto grads = [](int n) {
    set_num_threads(n);
    Tensor x = uniform_values({8, 64, 16, 16}, -1, 1, 21).to(kFloat32);  // above the parallel grain
    Tensor w = uniform_values({64}, 0.5, 1.5, 22).to(kFloat32).requires_grad_();
    Tensor b = uniform_values({64}, -1, 1, 23).to(kFloat32).requires_grad_();
    test::wsum(group_norm(x, 32, w, b)).backward();
    return std::pair{w.grad().to_vector<double>(), b.grad().to_vector<double>()};
  };
  auto one = grads(1), two = grads(2), three = grads(3);
  set_num_threads(threads);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
  CHECK(one.first == three.first);
  CHECK(one.second == three.second);
}

TEST_CASE("group_norm kernel: bad operands are refused with the shapes", "[nn][group_norm]") {
  Tensor x = uniform_values({2, 6, 3}, -1, 1, 30);
  CHECK_THROWS_WITH(kernels::group_norm_forward(x, 4, Tensor(), Tensor(), 1e-5),
                    Contains("4 groups do not divide 6 channels"));
  CHECK_THROWS_WITH(kernels::group_norm_forward(x.transpose(1, 2), 1, Tensor(), Tensor(), 1e-5),
                    Contains("expected a contiguous input"));
  CHECK_THROWS_WITH(kernels::group_norm_forward(x, 2, uniform_values({5}, 0, 1, 31), Tensor(), 1e-5),
                    Contains("weight and bias must be (6)"));
  CHECK_THROWS_WITH(group_norm(x, 4), Contains("num_groups 4 must divide"));
  const kernels::GroupNormForward f = kernels::group_norm_forward(x, 2, Tensor(), Tensor(), 1e-5);
  CHECK_THROWS_WITH(
      kernels::group_norm_backward(x.to(kFloat32), x, 2, f.mean, f.rstd, Tensor(), false, false),
      Contains("gradient of shape (2,6,3) float32 must be contiguous, of x's shape (2,6,3) and dtype float64"));
  CHECK_THROWS_WITH(kernels::group_norm_backward(x, x, 3, f.mean, f.rstd, Tensor(), false, false),
                    Contains("mean and rstd must be float64 of 6 values, got 4 float64 and 4 float64"));
}
