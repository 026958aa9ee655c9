// gather, scatter, scatter_add, index_select, index_add, x.index with tensors,
// one_hot, embedding. Reference numbers were computed with NumPy 1.24
// (np.take_along_axis, explicit Python loops for scatter, fancy indexing,
// np.add.at) on np.arange inputs.
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;

namespace {
Tensor ar(const Shape& s, DType t = kFloat64) { return arange(static_cast<double>(numel_of(s)), t).reshape(s); }
Tensor idx(const std::vector<int64_t>& v, const Shape& s = {}) {
  return tensor(v, s.empty() ? Shape{static_cast<int64_t>(v.size())} : s);
}
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
}  // namespace

TEST_CASE("gather along either dim, strided index", "[index]") {
  Tensor x = ar({3, 4});
  // np.take_along_axis(x, [[0,2,1,0],[2,2,0,1]], 0)
  check_values(x.gather(0, idx({0, 2, 1, 0, 2, 2, 0, 1}, {2, 4})), {0, 9, 6, 3, 8, 9, 2, 7});
  // np.take_along_axis(x, [[3,0],[1,1],[0,2]], 1), index given as a transposed view
  Tensor i1 = idx({3, 1, 0, 0, 1, 2}, {2, 3}).t();
  CHECK_FALSE(i1.is_contiguous());
  check_values(x.gather(1, i1), {3, 0, 5, 5, 8, 10});
  check_values(x.t().gather(-1, idx({2, 0, 1, 1}, {4, 1})), {8, 1, 6, 7});
  REQUIRE_THROWS_AS(x.gather(0, idx({0, 3}, {1, 2})), dgm::Error);
  REQUIRE_THROWS_WITH(x.gather(0, idx({0, 3}, {1, 2})),
                      Catch::Contains("gather") && Catch::Contains("index 3") && Catch::Contains("size 3"));
  REQUIRE_THROWS_WITH(x.gather(1, idx({-1}, {1, 1})), Catch::Contains("gather") && Catch::Contains("index -1"));
  REQUIRE_THROWS_WITH(x.gather(0, idx({0, 1}, {2})), Catch::Contains("gather"));
  REQUIRE_THROWS_WITH(x.gather(0, tensor(std::vector<double>{0.0}, {1, 1})), Catch::Contains("int64"));
}

TEST_CASE("scatter and scatter_add are out of place", "[index]") {
  Tensor x = ar({3, 4});
  Tensor src = ar({2, 4}) + 100.0;
  Tensor i = idx({0, 2, 1, 0, 2, 0, 0, 1}, {2, 4});
  // out[i[r][c]][c] = src[r][c], NumPy loop
  check_values(x.scatter(0, i, src), {100, 105, 106, 103, 4, 5, 102, 107, 104, 101, 10, 11});
  check_values(x, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});  // untouched
  // out[i[r][c]][c] += src[r][c]
  check_values(x.scatter_add(0, i, src), {100, 106, 108, 106, 4, 5, 108, 114, 112, 110, 10, 11});
  check_values(scatter(zeros({2, 3}, kFloat64), 1, idx({2, 0}, {2, 1}), 7.0), {0, 0, 7, 7, 0, 0});
  // src larger than index: only its index-shaped corner is used
  check_values(zeros({2, 2}, kFloat64).scatter(1, idx({1}, {1, 1}), ar({2, 3}) + 1.0), {0, 1, 0, 0});
  REQUIRE_THROWS_WITH(x.scatter(1, idx({4}, {1, 1}), src),
                      Catch::Contains("scatter") && Catch::Contains("index 4") && Catch::Contains("size 4"));
  REQUIRE_THROWS_WITH(x.scatter_add(0, i, ar({2, 4}, kFloat32)),
                      Catch::Contains("scatter_add") && Catch::Contains("dtype"));
  REQUIRE_THROWS_WITH(x.scatter(0, idx({0, 0, 0}, {1, 3}), ar({1, 2})), Catch::Contains("src"));
}

TEST_CASE("index_select and index_add", "[index]") {
  Tensor x = ar({4, 3});
  check_values(x.index_select(0, idx({3, 0, 3})), {9, 10, 11, 0, 1, 2, 9, 10, 11});
  check_values(x.t().index_select(1, idx({1, 2}, {2, 1}).select(1, 0)), {3, 6, 4, 7, 5, 8});
  // np.add.at(zeros((4,3)), [0,2,0], arange(9).reshape(3,3))
  check_values(index_add(zeros({4, 3}, kFloat64), 0, idx({0, 2, 0}), ar({3, 3})),
               {6, 8, 10, 0, 0, 0, 3, 4, 5, 0, 0, 0});
  REQUIRE_THROWS_WITH(x.index_select(0, idx({1, 4})),
                      Catch::Contains("index_select") && Catch::Contains("index 4") && Catch::Contains("size 4"));
  REQUIRE_THROWS_WITH(x.index_select(0, idx({1, 2}, {1, 2})), Catch::Contains("1-D"));
  REQUIRE_THROWS_WITH(index_add(x, 0, idx({0}), ar({2, 3})), Catch::Contains("index_add") && Catch::Contains("(1,3)"));
}

TEST_CASE("x.index with int64 tensors and bool masks", "[index]") {
  Tensor y = ar({2, 3, 4});
  // y[:, [2,0,2]]
  Tensor a = y.index({Slice(), idx({2, 0, 2})});
  CHECK(a.shape() == Shape{2, 3, 4});
  check_values(a, {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23, 12, 13, 14, 15, 20, 21, 22, 23});
  // y[idx] on the first dim
  check_values(y.index({idx({1})}).flatten(), (ar({12}) + 12.0).to_vector<double>(), 0, 0);
  CHECK(y.index({idx({1})}).shape() == Shape{1, 3, 4});
  // y[:, :, [[3,0],[1,-1]]]: index shape replaces the dim
  Tensor m = y.index({Slice(), Slice(), idx({3, 0, 1, -1}, {2, 2})});
  CHECK(m.shape() == Shape{2, 3, 2, 2});
  check_values(m, {3, 0, 1, 3, 7, 4, 5, 7, 11, 8, 9, 11, 15, 12, 13, 15, 19, 16, 17, 19, 23, 20, 21, 23});
  // y[:, [0,2], [1,3]] (adjacent) and y[[0,1], :, [1,3]] (not adjacent: result dim first)
  check_values(y.index({Slice(), idx({0, 2}), idx({1, 3})}), {1, 11, 13, 23});
  Tensor n = y.index({idx({0, 1}), Slice(), idx({1, 3})});
  CHECK(n.shape() == Shape{2, 3});
  check_values(n, {1, 5, 9, 15, 19, 23});
  // y[y % 5 == 0] and a 2-D mask on the first two dims
  Tensor five = (y - (y / 5.0).floor() * 5.0).eq(0.0);
  check_values(y.index({five}), {0, 5, 10, 15, 20});
  Tensor m2 = tensor(std::vector<bool>{true, false, true, false, false, true}, {2, 3});
  Tensor b = y.index({m2});
  CHECK(b.shape() == Shape{3, 4});
  check_values(b, {0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23});
  REQUIRE_THROWS_WITH(y.index({Slice(), idx({3})}), Catch::Contains("index 3") && Catch::Contains("size 3"));
  REQUIRE_THROWS_WITH(y.index({Slice(), idx({-4})}), Catch::Contains("index -4"));
  REQUIRE_THROWS_WITH(y.index({m2.t()}), Catch::Contains("mask"));
  REQUIRE_THROWS_WITH(y.index({ar({2})}), Catch::Contains("int64 or bool"));
}

TEST_CASE("one_hot and embedding", "[index]") {
  Tensor oh = one_hot(idx({2, 0, 1, 2}, {2, 2}));
  CHECK(oh.dtype() == kInt64);
  CHECK(oh.shape() == Shape{2, 2, 3});
  check_values(oh, {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(one_hot(idx({1}), 4).shape() == Shape{1, 4});
  REQUIRE_THROWS_WITH(one_hot(idx({1, 4}), 3),
                      Catch::Contains("one_hot") && Catch::Contains("index 4") && Catch::Contains("size 3"));
  REQUIRE_THROWS_WITH(one_hot(idx({-1})), Catch::Contains("one_hot"));

  Tensor w = leaf({5, 3});
  Tensor ids = idx({4, 1, 1, 0, 4, 2}, {2, 3});
  Tensor e = embedding(w, ids, /*padding_idx=*/1);
  CHECK(e.shape() == Shape{2, 3, 3});
  check_values(e.select(0, 0).select(0, 0), w.select(0, 4).to_vector<double>(), 0, 0);
  (e * ar({2, 3, 3})).sum().backward();
  // row r of the grad = sum of the arange rows whose id is r; row 1 (padding) gets none:
  //   id 4 at flat positions 0, 4 -> [0,1,2] + [12,13,14]; id 0 at 3 -> [9,10,11]; id 2 at 5 -> [15,16,17]
  check_values(w.grad(), {9, 10, 11, 0, 0, 0, 15, 16, 17, 0, 0, 0, 12, 14, 16});
  REQUIRE_THROWS_WITH(embedding(w, idx({5})),
                      Catch::Contains("embedding") && Catch::Contains("index 5") && Catch::Contains("size 5"));
}

TEST_CASE("index op gradients", "[index]") {
  Tensor gi = idx({0, 2, 1, 0, 2, 2, 0, 1, 1, 1, 0, 0, 2, 1, 0}, {3, 5});                  // duplicates
  Fn g = [gi](const std::vector<Tensor>& in) { return in[0].t().gather(0, gi.t().t()); };  // x (5,3)^T
  REQUIRE_GRADCHECK(g, std::vector<Tensor>{leaf({5, 3})});
  // a permutation along dim 1 per row, so every scattered position is written once
  Tensor perm = idx({2, 0, 1, 1, 2, 0}, {2, 3});
  Fn sc = [perm](const std::vector<Tensor>& in) {
    return in[0].index({Slice(None, None, 2)}).scatter(1, perm.narrow(1, 0, 2), in[1].t());
  };
  REQUIRE_GRADCHECK(sc, (std::vector<Tensor>{leaf({3, 4}), leaf({3, 2}, -1, 1, 2)}));
  Fn sa = [gi](const std::vector<Tensor>& in) {
    return in[0].expand({4, 5}).scatter_add(0, gi.narrow(0, 0, 2), in[1]);
  };
  REQUIRE_GRADCHECK(sa, (std::vector<Tensor>{leaf({5}), leaf({2, 5}, -1, 1, 3)}));
  Fn sel = [](const std::vector<Tensor>& in) { return in[0].transpose(0, 2).index_select(1, idx({12, 0, 12, 5})); };
  REQUIRE_GRADCHECK(sel, std::vector<Tensor>{leaf({7, 13, 5})});
  Fn add = [](const std::vector<Tensor>& in) { return index_add(in[0].t(), 0, idx({1, 1, 0}), in[1]); };
  REQUIRE_GRADCHECK(add, (std::vector<Tensor>{leaf({4, 2}), leaf({3, 4}, -1, 1, 2)}));
  Fn ix = [](const std::vector<Tensor>& in) {
    Tensor x = in[0].permute({1, 0, 2});  // (13,7,5)
    return x.index({idx({3, -1, 3}), Slice(1, None, 3), idx({4, 0, 0}, {3, 1})});
  };
  REQUIRE_GRADCHECK(ix, std::vector<Tensor>{leaf({7, 13, 5})});
  // (padding_idx 2 is not looked up: the padding row's zero gradient would not match finite differences)
  Fn emb = [](const std::vector<Tensor>& in) { return embedding(in[0].t(), idx({0, 3, 3, 1}, {2, 2}), 2); };
  REQUIRE_GRADCHECK(emb, std::vector<Tensor>{leaf({3, 4})});
  Fn second = [gi](const std::vector<Tensor>& in) {
    Tensor y = in[0].gather(1, gi.t()).index_select(0, idx({4, 0, 4}));
    Tensor z = y * y;
    return z.scatter_add(1, gi.narrow(0, 0, 1).expand({3, 5}).narrow(1, 0, 3), in[1] * y).index({idx({1}), Slice()});
  };
  REQUIRE_GRADGRADCHECK(second, (std::vector<Tensor>{leaf({5, 3}), leaf({3, 3}, -1, 1, 2)}));
}

TEST_CASE("index_select gradient accumulates repeated indices", "[index]") {
  Tensor x = leaf({4, 3});
  x.index_select(0, idx({0, 2, 0})).sum().backward();
  check_values(x.grad(), {2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0});
  Tensor w = leaf({4, 2});
  w.index({idx({3, 3, -1, 1})}).sum().backward();
  check_values(w.grad(), {0, 0, 1, 1, 0, 0, 3, 3});
}
