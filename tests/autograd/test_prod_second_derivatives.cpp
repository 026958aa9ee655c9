// Second derivatives of prod and cumprod at zeros (autograd/ops/reduction.cpp):
// the first derivative must be exact as a function of x, not only in value,
// or its own derivative is wrong where an entry is 0. Checked by float64
// finite differences (gradcheck, gradgradcheck) on slices with no, one, two
// and three zeros, and against Hessian entries derived by hand.
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using V = std::vector<Tensor>;

namespace {
// (3, 4) float64 leaves: rows with 0, 1 and 2 zeros and columns with 0 to 2 zeros.
Tensor with_zeros(int zeros_per_row) {
  std::vector<double> v = {0.7, -1.3, 0.9, 1.6, -0.8, 1.2, 0.6, -1.1, 1.4, 0.5, -0.9, 1.5};
  if (zeros_per_row >= 1) v[1] = v[6] = v[8] = 0;
  if (zeros_per_row >= 2) v[3] = v[4] = v[11] = 0;
  if (zeros_per_row >= 3) v[0] = v[7] = v[9] = 0;
  return tensor(v, {3, 4}).requires_grad_();
}

void check_both(const SingleFunction& f, const Tensor& x) {
  auto first = gradcheck(f, {x});
  INFO("gradcheck: " << first.message);
  CHECK(first.ok);
  auto second = gradgradcheck(f, {x});
  INFO("gradgradcheck: " << second.message);
  CHECK(second.ok);
}

// d/dx_j of (d f / d x_i), via grad with create_graph.
double hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x0, int64_t i, int64_t j) {
  Tensor x = x0.detach().clone().requires_grad_();
  Tensor g = autograd::grad({f(x)}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  return autograd::grad({g.select(0, i)}, {x}, {}, false, false, /*allow_unused=*/true)[0].select(0, j).item<double>();
}
}  // namespace

TEST_CASE("prod: first and second derivatives with 0, 1, 2 and 3 zeros", "[reduction][gradgrad]") {
  for (int zeros = 0; zeros <= 3; ++zeros) {
    INFO(zeros << " zeros per row");
    Tensor x = with_zeros(zeros);
    for (int64_t dim : {0, 1, -1})
      for (bool keepdim : {false, true}) {
        INFO("dim " << dim << " keepdim " << keepdim);
        check_both([dim, keepdim](const V& in) { return dgm::test::wsum(in[0].prod(dim, keepdim)); }, x);
      }
    // non-contiguous: the transposed view, and a strided slice
    check_both([](const V& in) { return dgm::test::wsum(in[0].t().prod(1)); }, x);
    check_both([](const V& in) { return dgm::test::wsum(in[0].slice(1, 0, 4, 2).prod(1)); }, x);
    check_both([](const V& in) { return in[0].prod(); }, x);
  }
}

TEST_CASE("cumprod: first and second derivatives with 0, 1, 2 and 3 zeros", "[reduction][gradgrad]") {
  for (int zeros = 0; zeros <= 3; ++zeros) {
    INFO(zeros << " zeros per row");
    Tensor x = with_zeros(zeros);
    for (int64_t dim : {0, 1, -1}) {
      INFO("dim " << dim);
      check_both([dim](const V& in) { return dgm::test::wsum(in[0].cumprod(dim)); }, x);
    }
    check_both([](const V& in) { return dgm::test::wsum(in[0].t().cumprod(1)); }, x);
    check_both([](const V& in) { return dgm::test::wsum(in[0].slice(1, 1, 4, 2).cumprod(0)); }, x);
  }
}

TEST_CASE("prod and cumprod second derivatives by hand", "[reduction][gradgrad]") {
  auto prod = [](const Tensor& x) { return x.prod(); };
  // p = x0 x1 x2 at [0, 2, 3]: d2p/dx0dx1 = x2 = 3, d2p/dx0dx2 = x1 = 2, d2p/dx1dx2 = x0 = 0
  Tensor a = tensor(std::vector<double>{0, 2, 3});
  CHECK(hessian(prod, a, 0, 1) == 3);
  CHECK(hessian(prod, a, 1, 0) == 3);
  CHECK(hessian(prod, a, 2, 0) == 2);
  CHECK(hessian(prod, a, 0, 2) == 2);
  CHECK(hessian(prod, a, 1, 2) == 0);
  CHECK(hessian(prod, a, 0, 0) == 0);
  // two zeros, [0, 0, 3]: d2p/dx0dx1 = x2 = 3, the others 0
  Tensor b = tensor(std::vector<double>{0, 0, 3});
  CHECK(hessian(prod, b, 0, 1) == 3);
  CHECK(hessian(prod, b, 0, 2) == 0);
  CHECK(hessian(prod, b, 1, 2) == 0);

  // c = sum(cumprod(x)) = x0 + x0 x1 + x0 x1 x2 at [2, 0, 3]:
  //   dc/dx0 = 1 + x1 + x1 x2, dc/dx1 = x0 + x0 x2, dc/dx2 = x0 x1
  //   d2c/dx0dx1 = 1 + x2 = 4, d2c/dx1dx2 = x0 = 2, d2c/dx0dx2 = x1 = 0
  auto csum = [](const Tensor& x) { return x.cumprod(0).sum(); };
  Tensor c = tensor(std::vector<double>{2, 0, 3});
  CHECK(hessian(csum, c, 0, 1) == 4);
  CHECK(hessian(csum, c, 1, 0) == 4);
  CHECK(hessian(csum, c, 1, 2) == 2);
  CHECK(hessian(csum, c, 2, 1) == 2);
  CHECK(hessian(csum, c, 0, 2) == 0);
  // first derivatives there: [1, 8, 0]
  check_values(dgm::test::grad_of(c, csum), {1, 8, 0}, 0);
}
