// Tensor basics: factories, dtype promotion, element access, printing, errors.
// Expected strings are PyTorch 1.13's str() of the same tensors.
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;
using dgm::test::check_values;

TEST_CASE("zeros, ones, full and scalar_tensor", "[tensor]") {
  Tensor z = zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.dtype() == kFloat32);
  check_values(z, {0, 0, 0, 0, 0, 0});
  Tensor o = ones({4}, kInt64);
  CHECK(o.dtype() == kInt64);
  CHECK(o.to_vector<int64_t>() == std::vector<int64_t>{1, 1, 1, 1});
  check_values(full({2, 2}, -1.5, kFloat64), {-1.5, -1.5, -1.5, -1.5}, 0);
  Tensor s = scalar_tensor(2.5);
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.item<double>() == 2.5);
  CHECK(zeros({3}, TensorOptions(kFloat64).requires_grad()).requires_grad());
  CHECK(zeros({0, 3}).numel() == 0);
}

TEST_CASE("arange with integer and fractional steps", "[tensor]") {
  Tensor a = arange(5);
  CHECK(a.dtype() == kInt64);
  CHECK(a.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(arange(2, 11, 3).to_vector<int64_t>() == std::vector<int64_t>{2, 5, 8});
  CHECK(arange(5, 0, -2).to_vector<int64_t>() == std::vector<int64_t>{5, 3, 1});
  // torch.arange(0, 1, 0.25) -> tensor([0.0000, 0.2500, 0.5000, 0.7500]) (float32: a fractional step)
  Tensor f = arange(0, 1, 0.25);
  CHECK(f.dtype() == kFloat32);
  check_values(f, {0, 0.25, 0.5, 0.75}, 0);
  // torch.arange(1, 2.5, 0.5) -> [1.0, 1.5, 2.0]: the end is excluded
  check_values(arange(1, 2.5, 0.5, kFloat64), {1.0, 1.5, 2.0}, 0);
  CHECK(arange(2.5).dtype() == kFloat32);
  check_values(arange(2.5), {0, 1, 2}, 0);
  CHECK_THROWS_AS(arange(0, 5, 0), Error);
  CHECK_THROWS_AS(arange(5, 0, 1), Error);
}

TEST_CASE("linspace hits both endpoints exactly", "[tensor]") {
  check_values(linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1}, 0);
  Tensor l = linspace(-1, 0.3, 7, kFloat64);
  std::vector<double> v = l.to_vector<double>();
  REQUIRE(v.size() == 7);
  CHECK(v.front() == -1.0);
  CHECK(v.back() == 0.3);
  for (int i = 0; i < 7; ++i) CHECK(std::fabs(v[i] - (-1.0 + 1.3 * i / 6.0)) < 1e-15);
  check_values(linspace(3, 7, 1), {3}, 0);
  CHECK(linspace(0, 1, 0).numel() == 0);
}

TEST_CASE("eye and the *_like factories", "[tensor]") {
  check_values(eye(3), {1, 0, 0, 0, 1, 0, 0, 0, 1}, 0);
  Tensor e = eye(2, 3, kInt64);
  CHECK(e.shape() == Shape{2, 3});
  CHECK(e.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0, 0, 1, 0});
  Tensor x = tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor z = zeros_like(x), o = ones_like(x), f = full_like(x, 7), em = empty_like(x);
  for (const Tensor& t : {z, o, f, em}) {
    CHECK(t.shape() == Shape{3, 2});
    CHECK(t.dtype() == kFloat64);
    CHECK(!t.is_same(x));
  }
  check_values(z, {0, 0, 0, 0, 0, 0}, 0);
  check_values(o, {1, 1, 1, 1, 1, 1}, 0);
  check_values(f, {7, 7, 7, 7, 7, 7}, 0);
  CHECK(zeros_like(x, kInt64).dtype() == kInt64);
}

TEST_CASE("tensor from C++ values and from_blob copy the data", "[tensor]") {
  Tensor a = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(a.shape() == Shape{2, 3});
  CHECK(a.strides() == Shape{3, 1});
  CHECK(a.to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor b = tensor(std::vector<bool>{true, false, true});
  CHECK(b.dtype() == kBool);
  CHECK(b.to_vector<bool>() == std::vector<bool>{true, false, true});
  CHECK(tensor(std::vector<int64_t>{7, 8}).dtype() == kInt64);
  CHECK_THROWS_AS(tensor(std::vector<float>{1, 2, 3}, {2, 2}), Error);

  std::vector<double> buffer{1.5, 2.5, 3.5, 4.5};
  Tensor c = from_blob(buffer.data(), {2, 2}, kFloat64);
  buffer[0] = 100;  // the tensor holds its own copy
  check_values(c, {1.5, 2.5, 3.5, 4.5}, 0);
}

TEST_CASE("item and to_vector", "[tensor]") {
  Tensor x = tensor(std::vector<double>{1.25, -2, 3, 4}, {2, 2});
  CHECK(x.select(0, 1).select(0, 0).item<double>() == 3.0);
  CHECK(tensor(std::vector<int64_t>{42}).item<int64_t>() == 42);
  CHECK(tensor(std::vector<float>{2.75f}).item() == 2.75);
  CHECK_THROWS_WITH(x.item<double>(), Contains("(2,2)"));
  // to_vector walks a non-contiguous view in row-major order and converts.
  CHECK(x.t().to_vector<double>() == std::vector<double>{1.25, 3, -2, 4});
  CHECK(x.to_vector<int64_t>() == std::vector<int64_t>{1, -2, 3, 4});
}

TEST_CASE("dtype promotion follows PyTorch", "[tensor]") {
  Tensor i = tensor(std::vector<int64_t>{1, 2, 3});
  Tensor f = tensor(std::vector<float>{0.5f, 0.5f, 0.5f});
  Tensor d = tensor(std::vector<double>{0.25, 0.25, 0.25});
  Tensor if_ = i + f;
  CHECK(if_.dtype() == kFloat32);
  check_values(if_, {1.5, 2.5, 3.5}, 0);
  CHECK((f + d).dtype() == kFloat64);
  check_values(f + d, {0.75, 0.75, 0.75}, 0);
  Tensor i25 = i + 2.5;  // torch: int tensor + python float -> float32
  CHECK(i25.dtype() == kFloat32);
  check_values(i25, {3.5, 4.5, 5.5}, 0);
  CHECK((i + 2.0).dtype() == kInt64);  // an integral double keeps int64
  CHECK((i * 2.0).to_vector<int64_t>() == std::vector<int64_t>{2, 4, 6});
  CHECK((f * 2.0).dtype() == kFloat32);                  // a double operand takes the tensor's dtype
  Tensor q = i / tensor(std::vector<int64_t>{2, 2, 2});  // true division
  CHECK(q.dtype() == kFloat32);
  check_values(q, {0.5, 1.0, 1.5}, 0);
  for (const Tensor& c : {i.lt(f * 4.0), f.eq(0.5), i.ge(2.0), d.ne(d)}) CHECK(c.dtype() == kBool);
  CHECK(i.gt(1.5).to_vector<bool>() == std::vector<bool>{false, true, true});
}

TEST_CASE("printing matches PyTorch", "[tensor]") {
  CHECK(to_string(tensor(std::vector<float>{1, 2, 3})) == "tensor([1., 2., 3.])");
  CHECK(to_string(tensor(std::vector<int64_t>{1, 2, 3, 4}, {2, 2})) == "tensor([[1, 2],\n        [3, 4]])");
  CHECK(to_string(tensor(std::vector<double>{1.5, -2.25})) == "tensor([ 1.5000, -2.2500], dtype=torch.float64)");
  CHECK(to_string(tensor(std::vector<double>{1, 2})) == "tensor([1., 2.], dtype=torch.float64)");
  CHECK(to_string(tensor(std::vector<float>{1, 2}, {}, TensorOptions().requires_grad())) ==
        "tensor([1., 2.], requires_grad=True)");
  CHECK(to_string(tensor(std::vector<float>{1, -2.5f, 0.125f, 3}, {2, 2})) ==
        "tensor([[ 1.0000, -2.5000],\n        [ 0.1250,  3.0000]])");
  CHECK(to_string(tensor(std::vector<float>{1e-5f, 1})) == "tensor([1.0000e-05, 1.0000e+00])");
  CHECK(to_string(tensor(std::vector<float>{1e9f, 1.5f})) == "tensor([1.0000e+09, 1.5000e+00])");
  CHECK(to_string(tensor(std::vector<float>{0.001f, 10})) == "tensor([1.0000e-03, 1.0000e+01])");
  CHECK(to_string(tensor(std::vector<bool>{true, false})) == "tensor([ True, False])");
  CHECK(to_string(scalar_tensor(3.5)) == "tensor(3.5000)");
  CHECK(to_string(scalar_tensor(7, kInt64)) == "tensor(7)");
  CHECK(to_string(tensor(std::vector<int64_t>{-1, 10, 100})) == "tensor([ -1,  10, 100])");
  CHECK(to_string(zeros({2})) == "tensor([0., 0.])");
  CHECK(to_string(tensor(std::vector<float>{1.5f, NAN, -INFINITY})) == "tensor([1.5000,    nan,   -inf])");
  CHECK(to_string(tensor(std::vector<float>{1, NAN, INFINITY})) == "tensor([1., nan, inf])");
  CHECK(to_string(arange(8).reshape({2, 2, 2})) ==
        "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])");
}

TEST_CASE("printing empty and long tensors matches PyTorch", "[tensor]") {
  CHECK(to_string(zeros({0})) == "tensor([])");
  CHECK(to_string(zeros({2, 0})) == "tensor([], size=(2, 0))");
  CHECK(to_string(zeros({0}, kInt64)) == "tensor([], dtype=torch.int64)");
  // More than 1000 elements: three at each end, and lines wrap at 80 characters.
  CHECK(to_string(arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  CHECK(to_string(arange(0, 2000, 1, kFloat32)) ==
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
  CHECK(to_string(arange(0, 4000, 1, kFloat32).reshape({2, 2000})) ==
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "         1.9990e+03],\n"
        "        [2.0000e+03, 2.0010e+03, 2.0020e+03,  ..., 3.9970e+03, 3.9980e+03,\n"
        "         3.9990e+03]])");
  // A result of an op names its backward like torch: tensor([2., 4.], grad_fn=<MulBackward0>)
  Tensor x = tensor(std::vector<float>{1, 2}).requires_grad_();
  CHECK(to_string(x * 2.0) == "tensor([2., 4.], grad_fn=<MulBackward0>)");
}

TEST_CASE("errors name the shapes and suggest the fix", "[tensor]") {
  Tensor a = zeros({2, 3}), b = zeros({4});
  CHECK_THROWS_AS(a + b, Error);
  CHECK_THROWS_WITH(a + b, Contains("add") && Contains("(2,3)") && Contains("(4)"));
  CHECK_THROWS_WITH(a * b, Contains("mul") && Contains("(2,3)") && Contains("(4)"));
  CHECK_THROWS_WITH(a.size(2), Contains("dim 2 out of range"));
  CHECK_THROWS_WITH(a.transpose(0, -3), Contains("out of range"));
  CHECK_THROWS_WITH(a.t().view({6}), Contains("view") && Contains("reshape"));
  CHECK(a.t().reshape({6}).shape() == Shape{6});  // reshape copies instead
  CHECK_THROWS_WITH(a.view({4, 2}), Contains("(4,2)") && Contains("(2,3)"));
  CHECK_THROWS_WITH(zeros({2}, kInt64).requires_grad_(), Contains("int64"));
}

TEST_CASE("an undefined tensor is a clear error, not a crash", "[tensor]") {
  Tensor none;
  CHECK_FALSE(none.defined());
  CHECK_THROWS_WITH(none.shape(), Catch::Contains("undefined"));
  CHECK_THROWS_WITH(none.abs(), Catch::Contains("undefined"));
  CHECK_THROWS_WITH(none + 1.0, Catch::Contains("undefined"));
  // the grad() of a leaf that received no gradient
  Tensor used = ones({2}).requires_grad_(), unused = ones({2}).requires_grad_();
  (used * 2.0).sum().backward();
  CHECK(used.grad().defined());
  CHECK_THROWS_WITH(unused.grad().sum(), Catch::Contains("no gradient"));
}
