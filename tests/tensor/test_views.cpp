// Views: shapes, strides, storage sharing, values and gradients.
// Expected values are hand-derived: x = arange(n) reshaped, so element
// (i, j, k) of a (A,B,C) tensor is i*B*C + j*C + k.
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;

namespace {
Tensor ar(const Shape& s) { return arange(static_cast<double>(numel_of(s)), kFloat64).reshape(s); }
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
}  // namespace

TEST_CASE("view and reshape copy only when needed", "[views]") {
  Tensor x = ar({2, 3, 4});
  Tensor v = x.view({6, 4});
  CHECK(v.raw_data() == x.raw_data());
  CHECK(v.shape() == Shape{6, 4});
  CHECK(x.reshape({4, -1}).raw_data() == x.raw_data());
  CHECK(x.reshape({4, -1}).shape() == Shape{4, 6});
  // a transpose can be viewed when split or merged dims stay contiguous...
  Tensor t = x.transpose(0, 1);  // (3,2,4), strides (4,12,1)
  CHECK(t.view({3, 2, 2, 2}).raw_data() == x.raw_data());
  CHECK(t.view({3, 2, 2, 2}).strides() == Shape{4, 12, 2, 1});
  CHECK(x.permute({1, 2, 0}).view({12, 2}).strides() == Shape{1, 12});
  // ...but not when they don't: view refuses, reshape copies.
  Tensor u = x.transpose(1, 2);  // (2,4,3)
  REQUIRE_THROWS_AS(u.view({2, 12}), dgm::Error);
  REQUIRE_THROWS_WITH(u.view({2, 12}), Catch::Contains("view") && Catch::Contains("reshape"));
  Tensor r = u.reshape({2, 12});
  CHECK(r.raw_data() != x.raw_data());
  // r[i, 3*k + j] = x[i, j, k]
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 3; ++j) want.push_back(12 * i + 4 * j + k);
  check_values(r, want);
  REQUIRE_THROWS_WITH(x.view({5, -1}), Catch::Contains("view") && Catch::Contains("(2,3,4)"));
  REQUIRE_THROWS_AS(x.view({-1, -1}), dgm::Error);
}

TEST_CASE("permute, transpose, t and mT", "[views]") {
  Tensor x = ar({2, 3, 4});
  Tensor p = x.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Shape{1, 12, 4});
  CHECK(p.raw_data() == x.raw_data());
  std::vector<double> want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) want.push_back(12 * i + 4 * j + k);
  check_values(p, want);
  CHECK(x.mT().shape() == Shape{2, 4, 3});
  check_values(ar({2, 3}).t(), {0, 3, 1, 4, 2, 5});
  REQUIRE_THROWS_WITH(x.permute({0, 0, 1}), Catch::Contains("permute"));
  REQUIRE_THROWS_AS(x.t(), dgm::Error);
}

TEST_CASE("slicing with steps, select, narrow", "[views]") {
  Tensor x = ar({2, 3, 6, 5});
  // the course's x[:, :, ::2, ::2]
  Tensor s = x.index({Slice(), Slice(), Slice(None, None, 2), Slice(None, None, 2)});
  CHECK(s.shape() == Shape{2, 3, 3, 3});
  CHECK(s.strides() == Shape{90, 30, 10, 2});
  CHECK(s.raw_data() == x.raw_data());
  std::vector<double> want;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 6; c += 2)
        for (int d = 0; d < 5; d += 2) want.push_back(90 * a + 30 * b + 5 * c + d);
  check_values(s, want);
  // x[1, -1, 1:5:3, -2:] = rows 1, 4 of x[1, 2], cols 3, 4
  Tensor y = x.index({1, -1, Slice(1, 5, 3), Slice(-2)});
  CHECK(y.shape() == Shape{2, 2});
  check_values(y, {90 + 60 + 5 + 3, 90 + 60 + 5 + 4, 90 + 60 + 20 + 3, 90 + 60 + 20 + 4});
  // None adds a dim
  CHECK(x.index({None, Slice(), 0, None}).shape() == Shape{1, 2, 1, 6, 5});
  Tensor e = x.slice(2, 4, 2);  // empty
  CHECK(e.shape() == Shape{2, 3, 0, 5});
  Tensor sel = ar({3, 4}).select(1, -1);
  check_values(sel, {3, 7, 11});
  check_values(ar({3, 4}).narrow(1, 1, 2), {1, 2, 5, 6, 9, 10});
  REQUIRE_THROWS_WITH(x.select(1, 3), Catch::Contains("select") && Catch::Contains("3"));
  REQUIRE_THROWS_AS(x.narrow(3, 2, 4), dgm::Error);
  REQUIRE_THROWS_WITH(x.index({0, 0, 0, 0, 0}), Catch::Contains("too many indices"));
  REQUIRE_THROWS_AS(x.index({Slice(None, None, -1)}), dgm::Error);
}

TEST_CASE("unsqueeze, squeeze, expand, flatten, unflatten", "[views]") {
  Tensor x = ar({3, 1, 2});
  CHECK(x.unsqueeze(0).shape() == Shape{1, 3, 1, 2});
  CHECK(x.unsqueeze(-1).shape() == Shape{3, 1, 2, 1});
  CHECK(x.squeeze().shape() == Shape{3, 2});
  CHECK(x.squeeze(1).shape() == Shape{3, 2});
  CHECK(x.squeeze(0).shape() == Shape{3, 1, 2});
  Tensor e = x.expand({2, 3, 4, 2});
  CHECK(e.strides() == Shape{0, 2, 0, 1});
  CHECK(e.raw_data() == x.raw_data());
  std::vector<double> want;
  for (int a = 0; a < 2; ++a)
    for (int i = 0; i < 3; ++i)
      for (int b = 0; b < 4; ++b)
        for (int k = 0; k < 2; ++k) want.push_back(2 * i + k);
  check_values(e, want);
  CHECK(x.broadcast_to({-1, 5, 2}).shape() == Shape{3, 5, 2});
  REQUIRE_THROWS_WITH(x.expand({3, 2, 3}), Catch::Contains("expand") && Catch::Contains("(3,1,2)"));
  REQUIRE_THROWS_WITH(x.expand({3, -2, 2}), Catch::Contains("expand") && Catch::Contains("-2"));
  Tensor y = ar({2, 3, 4, 5});
  CHECK(y.flatten().shape() == Shape{120});
  CHECK(y.flatten(1, 2).shape() == Shape{2, 12, 5});
  CHECK(y.flatten(1, 2).raw_data() == y.raw_data());
  CHECK(y.unflatten(-1, {5, 1}).shape() == Shape{2, 3, 4, 5, 1});
  CHECK(y.unflatten(1, {-1, 1}).shape() == Shape{2, 3, 1, 4, 5});
  REQUIRE_THROWS_AS(y.unflatten(1, {2, 2}), dgm::Error);
}

TEST_CASE("chunk and split with uneven sizes", "[views]") {
  Tensor x = ar({7, 2});
  auto c = x.chunk(3);  // ceil(7/3) = 3 -> 3, 3, 1
  REQUIRE(c.size() == 3);
  CHECK(c[2].shape() == Shape{1, 2});
  check_values(c[2], {12, 13});
  auto c4 = x.chunk(4);  // ceil(7/4) = 2 -> 2, 2, 2, 1
  REQUIRE(c4.size() == 4);
  CHECK(c4[3].shape() == Shape{1, 2});
  auto s = x.split(std::vector<int64_t>{2, 5});
  CHECK(s[1].shape() == Shape{5, 2});
  check_values(s[1].select(0, 0), {4, 5});
  auto cols = x.split(1, 1);
  REQUIRE(cols.size() == 2);
  check_values(cols[1], {1, 3, 5, 7, 9, 11, 13});
  REQUIRE_THROWS_WITH(x.split(std::vector<int64_t>{2, 4}), Catch::Contains("split"));
  auto u = ar({2, 3}).unbind(1);
  REQUIRE(u.size() == 3);
  check_values(u[1], {1, 4});
}

TEST_CASE("contiguous copies non-contiguous views only", "[views]") {
  Tensor x = ar({3, 4});
  CHECK(x.contiguous().raw_data() == x.raw_data());
  Tensor t = x.t();
  CHECK_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  CHECK(c.is_contiguous());
  CHECK(c.raw_data() != x.raw_data());
  check_values(c, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  Tensor s = x.index({Slice(None, None, 2), Slice(1, None, 2)});
  CHECK_FALSE(s.is_contiguous());
  check_values(s.contiguous(), {1, 3, 9, 11});
  Tensor e = ar({3}).expand({2, 3});
  check_values(e.contiguous(), {0, 1, 2, 0, 1, 2});
}

TEST_CASE("view gradients", "[views]") {
  Tensor w = dgm::test::uniform_values({7, 5}, -1, 1, 9);  // weights so the Jacobian is not all ones
  Fn chain = [w](const std::vector<Tensor>& in) {
    // (7,13,5) -> (5,13,7) -> rows ::2 -> select, narrow, unsqueeze, expand, flatten
    Tensor x = in[0].permute({2, 1, 0}).index({Slice(None, None, 2), Slice(1, None, 3)});  // (3,4,7)
    Tensor y = x.select(1, -1).narrow(1, 2, 5).unsqueeze(0).expand({2, 3, 5});
    return y.flatten() * w.flatten().narrow(0, 0, 30);
  };
  REQUIRE_GRADCHECK(chain, std::vector<Tensor>{leaf({7, 13, 5})});
  Fn reshapes = [](const std::vector<Tensor>& in) {
    Tensor x = in[0].transpose(0, 2);  // (5,13,7), non-contiguous: reshape copies
    return x.reshape({5, -1}).view({65, 7}).squeeze().unflatten(0, {13, 5}).sum({1});
  };
  REQUIRE_GRADCHECK(reshapes, std::vector<Tensor>{leaf({7, 13, 5}, -1, 1, 2)});
  Fn pieces = [](const std::vector<Tensor>& in) {
    auto parts = in[0].t().chunk(3, 0);                        // (5,4) -> 2, 2, 1
    auto halves = in[0].split(std::vector<int64_t>{1, 4}, 1);  // (4,1), (4,4)
    return parts[0] * 2.0 + parts[1] * parts[1] + halves[0].t().expand({2, 4}) + parts[2].contiguous() +
           halves[1].narrow(0, 0, 2);
  };
  REQUIRE_GRADCHECK(pieces, std::vector<Tensor>{leaf({4, 5}, -1, 1, 3)});
  REQUIRE_GRADGRADCHECK(pieces, std::vector<Tensor>{leaf({4, 5}, -1, 1, 4)});
  Fn steps = [](const std::vector<Tensor>& in) {
    Tensor x = in[0].index({Slice(None, None, 2), None, Slice(1, None, 2)});
    return x * x.mT().mT() * in[0].index({Slice(1, None, 2), None, Slice(None, 6, 2)});
  };
  REQUIRE_GRADGRADCHECK(steps, std::vector<Tensor>{leaf({6, 7}, -1, 1, 5)});
}

TEST_CASE("slice gradient places g into zeros", "[views]") {
  Tensor x = leaf({4, 3});
  x.index({Slice(1, None, 2), 2}).sum().backward();
  check_values(x.grad(), {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1});
}
