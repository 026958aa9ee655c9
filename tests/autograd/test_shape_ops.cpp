// cat, stack, pad, repeat, flip, triu, tril: values against NumPy, gradients
// by gradcheck. Reference numbers were computed with NumPy 1.24 (np.concatenate,
// np.stack, np.pad, np.tile, np.flip, np.triu, np.tril) on np.arange inputs.
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;

namespace {
Tensor ar(const Shape& s, DType t = kFloat64) { return arange(static_cast<double>(numel_of(s)), t).reshape(s); }
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
}  // namespace

TEST_CASE("cat joins along a dim and promotes dtypes", "[shape]") {
  Tensor a = ar({3, 4});
  Tensor b = ar({3, 2}) + 100.0;
  // np.concatenate([arange(12).reshape(3,4), arange(6).reshape(3,2) + 100], 1)
  Tensor c = cat({a, b}, 1);
  CHECK(c.shape() == Shape{3, 6});
  check_values(c, {0, 1, 2, 3, 100, 101, 4, 5, 6, 7, 102, 103, 8, 9, 10, 11, 104, 105});
  check_values(cat({a, b.t().reshape({2, 3}).t()}, -1).narrow(1, 4, 2), {100, 101, 102, 103, 104, 105});
  Tensor mixed = cat({ar({2}, kInt64), ar({3}, kFloat32)});
  CHECK(mixed.dtype() == kFloat32);
  check_values(mixed, {0, 1, 0, 1, 2});
  // 1-D empty tensors are skipped (so cat works as an accumulator)
  CHECK(cat({zeros({0}, kFloat64), a}).shape() == Shape{3, 4});
  REQUIRE_THROWS_AS(cat({a, ar({2, 3})}, 0), dgm::Error);
  REQUIRE_THROWS_WITH(cat({a, ar({2, 3})}, 0), Catch::Contains("cat") && Catch::Contains("(3,4)") &&
                                                   Catch::Contains("(2,3)") && Catch::Contains("dim 0"));
  REQUIRE_THROWS_WITH(cat({a, ar({3, 4, 1})}, 1), Catch::Contains("cat"));
  REQUIRE_THROWS_WITH(cat({}, 0), Catch::Contains("cat"));
  REQUIRE_THROWS_WITH(cat({a}, 2), Catch::Contains("cat"));
}

TEST_CASE("stack adds a dim", "[shape]") {
  // np.stack([arange(3), arange(3) + 10], -1)
  Tensor s = stack({ar({3}), ar({3}) + 10.0}, -1);
  CHECK(s.shape() == Shape{3, 2});
  check_values(s, {0, 10, 1, 11, 2, 12});
  CHECK(stack({ar({2, 3}), ar({2, 3}), ar({2, 3})}, 1).shape() == Shape{2, 3, 3});
  REQUIRE_THROWS_WITH(stack({ar({2, 3}), ar({3, 2})}),
                      Catch::Contains("stack") && Catch::Contains("(2,3)") && Catch::Contains("(3,2)"));
}

TEST_CASE("pad in F.pad order, negative pads crop", "[shape]") {
  Tensor x = ar({2, 3});
  // F.pad(x, (2, 1, 1, 0), value=9) == np.pad(x, ((1,0),(2,1)), constant_values=9)
  Tensor p = pad(x, {2, 1, 1, 0}, 9);
  CHECK(p.shape() == Shape{3, 6});
  check_values(p, {9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 2, 9, 9, 9, 3, 4, 5, 9});
  // F.pad(x, (-1, 2)) == np.pad(x[:, 1:], ((0,0),(0,2)))
  check_values(pad(x, {-1, 2}), {1, 2, 0, 0, 4, 5, 0, 0});
  CHECK(pad(x, {0, 0, -2, 0}).shape() == Shape{0, 3});
  CHECK(pad(ar({2, 3}, kInt64), {1, 1}).dtype() == kInt64);
  REQUIRE_THROWS_WITH(pad(x, {1, 1, 1}), Catch::Contains("pad") && Catch::Contains("even"));
  REQUIRE_THROWS_WITH(pad(x, {1, 1, 1, 1, 1, 1}), Catch::Contains("pad") && Catch::Contains("(2,3)"));
  REQUIRE_THROWS_WITH(pad(x, {-2, -2}), Catch::Contains("pad"));
}

TEST_CASE("repeat tiles like np.tile", "[shape]") {
  // np.tile(arange(6).reshape(2,3), (2,1,2)), shape (2,2,6)
  Tensor r = ar({2, 3}).repeat({2, 1, 2});
  CHECK(r.shape() == Shape{2, 2, 6});
  check_values(r, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(ar({2, 3}).repeat({0, 1}).shape() == Shape{0, 3});
  check_values(ar({2}).t().repeat({3}), {0, 1, 0, 1, 0, 1});
  REQUIRE_THROWS_WITH(ar({2, 3}).repeat({2}), Catch::Contains("repeat"));
}

TEST_CASE("flip reverses dims", "[shape]") {
  // np.flip(arange(24).reshape(2,3,4), (0,2))
  Tensor f = ar({2, 3, 4}).flip({0, -1});
  check_values(f, {15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8});
  check_values(ar({3, 2}).t().flip({1}), {4, 2, 0, 5, 3, 1});
  check_values(ar({3}).flip({}), {0, 1, 2});
  REQUIRE_THROWS_WITH(ar({3}).flip({1}), Catch::Contains("flip"));
}

TEST_CASE("triu and tril, batched", "[shape]") {
  Tensor a = ar({3, 4});
  check_values(a.triu(1), {0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11});                                   // np.triu(a, 1)
  check_values(a.tril(-1), {0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0});                                   // np.tril(a, -1)
  check_values(ar({2, 3, 3}).triu(), {0, 1, 2, 0, 4, 5, 0, 0, 8, 9, 10, 11, 0, 13, 14, 0, 0, 17});  // np.triu
  check_values(a.t().tril(5), a.t().contiguous().to_vector<double>());
  REQUIRE_THROWS_WITH(ar({3}).triu(), Catch::Contains("triu") && Catch::Contains("(3)"));
}

TEST_CASE("shape op gradients", "[shape]") {
  Fn cat3 = [](const std::vector<Tensor>& in) {
    // a (7,13,5), b transposed to (7,2,5), c a stepped slice (7,3,5)
    return cat({in[0], in[1].transpose(1, 2), in[2].index({Slice(), Slice(None, None, 2)})}, 1);
  };
  REQUIRE_GRADCHECK(cat3,
                    (std::vector<Tensor>{leaf({7, 13, 5}), leaf({7, 5, 2}, -1, 1, 2), leaf({7, 5, 5}, -1, 1, 3)}));
  Fn stack2 = [](const std::vector<Tensor>& in) { return stack({in[0].t(), in[1].expand({3, 4})}, 1); };
  REQUIRE_GRADCHECK(stack2, (std::vector<Tensor>{leaf({4, 3}), leaf({4}, -1, 1, 2)}));
  Fn pads = [](const std::vector<Tensor>& in) { return pad(in[0].permute({2, 0, 1}), {2, -3, -1, 1, 1, 0}, 0.5); };
  REQUIRE_GRADCHECK(pads, std::vector<Tensor>{leaf({7, 13, 5})});
  Fn rep = [](const std::vector<Tensor>& in) { return in[0].t().repeat({2, 3, 2}); };
  REQUIRE_GRADCHECK(rep, std::vector<Tensor>{leaf({4, 3})});
  Fn flp = [](const std::vector<Tensor>& in) { return in[0].index({Slice(None, None, 2)}).flip({0, 2}); };
  REQUIRE_GRADCHECK(flp, std::vector<Tensor>{leaf({7, 13, 5})});
  Fn tri = [](const std::vector<Tensor>& in) { return in[0].mT().triu(1) + in[0].tril(-2); };
  REQUIRE_GRADCHECK(tri, std::vector<Tensor>{leaf({2, 5, 5})});
  Fn mix = [](const std::vector<Tensor>& in) {
    Tensor y = cat({in[0], in[0].flip({0})}, 0);
    return pad(y * y, {1, 1}).repeat({1, 2}).tril() * stack({in[1], in[1].flip({1})}).flatten(0, 1);
  };
  REQUIRE_GRADGRADCHECK(mix, (std::vector<Tensor>{leaf({2, 3}), leaf({2, 10}, -1, 1, 2)}));
}

TEST_CASE("cat gradient keeps each input's dtype", "[shape]") {
  Tensor a = tensor(std::vector<float>{1, 2}).requires_grad_();
  Tensor b = leaf({3});
  Tensor c = cat({a, b});
  CHECK(c.dtype() == kFloat64);
  (c * ar({5})).sum().backward();
  CHECK(a.grad().dtype() == kFloat32);
  check_values(a.grad(), {0, 1});
  check_values(b.grad(), {2, 3, 4});
}
