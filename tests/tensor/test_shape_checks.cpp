// Shapes from outside (factories, views, file headers) are checked before any
// stride or allocation is computed: negative sizes, element counts, strides and
// byte sizes that overflow int64 are a dgm::Error naming the op and the shape.
#include <cstdint>

#include "tests/helpers.h"

using namespace dgm;

namespace {
constexpr int64_t k2_30 = int64_t{1} << 30, k2_40 = int64_t{1} << 40;
}  // namespace

TEST_CASE("checked_numel counts elements of valid shapes", "[shape]") {
  CHECK(checked_numel("op", {}) == 1);
  CHECK(checked_numel("op", {2, 3, 4}) == 24);
  CHECK(checked_numel("op", {0, 5}) == 0);
  CHECK(checked_nbytes("op", {2, 3}, 8) == 48);
  // 2^62 elements of 1 byte fit; of 2 bytes they do not (2^63 > INT64_MAX).
  CHECK(checked_numel("op", {int64_t{1} << 62}, 1) == int64_t{1} << 62);
  REQUIRE_THROWS_WITH(checked_numel("op", {int64_t{1} << 62}, 2),
                      Catch::Contains("op: shape (4611686018427387904) of 2-byte elements is too large"));
}

TEST_CASE("checked_numel rejects negative sizes and overflowing shapes", "[shape]") {
  REQUIRE_THROWS_WITH(checked_numel("op", {2, -1}), "op: negative size -1 in shape (2,-1)");
  // 2^40 * 2^30 = 2^70 elements: wraps around in int64 without the check.
  REQUIRE_THROWS_WITH(
      checked_numel("op", {k2_40, k2_30}),
      "op: shape (1099511627776,1073741824) is too large (its element count or strides overflow int64)");
  // A zero size hides the overflow from the element count (0), not from the strides (2^80).
  REQUIRE_THROWS_WITH(checked_numel("op", {0, k2_40, k2_40}), Catch::Contains("op: shape (0,1099511627776,"));
  REQUIRE_THROWS_WITH(checked_numel("op", {k2_40, k2_40, 0}), Catch::Contains("too large"));
}

TEST_CASE("factories reject shapes whose size overflows", "[shape]") {
  REQUIRE_THROWS_WITH(empty({k2_40, k2_30}), Catch::Contains("empty: shape (1099511627776,1073741824) is too large"));
  REQUIRE_THROWS_WITH(zeros({0, k2_40, k2_40}), Catch::Contains("empty: shape (0,1099511627776,1099511627776)"));
  REQUIRE_THROWS_WITH(ones({2, -3}), "empty: negative size -3 in shape (2,-3)");
  // 2^61 float64 elements: the count fits, the 2^64 bytes do not.
  REQUIRE_THROWS_WITH(empty({int64_t{1} << 61}, kFloat64),
                      Catch::Contains("empty: shape (2305843009213693952) of 8-byte elements is too large"));
  REQUIRE_THROWS_WITH(eye(k2_40, k2_40), Catch::Contains("too large"));
  REQUIRE_THROWS_WITH(tensor(std::vector<double>{1.0}, {-1, -1}), "tensor: negative size -1 in shape (-1,-1)");
  // 2^63 elements do not convert to int64 (the cast itself is undefined without the check).
  REQUIRE_THROWS_WITH(arange(0, 9223372036854775808.0), Catch::Contains("arange: the range [0, 9.22337e+18)"));
  REQUIRE_THROWS_WITH(arange(0, 1e300), Catch::Contains("has too many elements"));
  // A valid empty shape with a huge size still works: (0, 2^20) has strides that fit.
  CHECK(zeros({0, int64_t{1} << 20}).numel() == 0);
}

TEST_CASE("views and reshapes reject shapes whose size overflows", "[shape]") {
  Tensor none = zeros({0});
  REQUIRE_THROWS_WITH(none.reshape({0, k2_40, k2_40}), Catch::Contains("shape (0,1099511627776,1099511627776)"));
  REQUIRE_THROWS_WITH(none.reshape({k2_40, k2_40, -1}), Catch::Contains("too large"));
  REQUIRE_THROWS_WITH(none.view({-1, k2_40, k2_40}), Catch::Contains("too large"));
  Tensor one = zeros({1, 1});
  REQUIRE_THROWS_WITH(one.expand({k2_40, k2_40}), Catch::Contains("view: shape (1099511627776,1099511627776)"));
  // The valid cases are unchanged.
  CHECK(zeros({6}).reshape({2, -1}).shape() == Shape{2, 3});
  CHECK(one.expand({3, 4}).shape() == Shape{3, 4});
}
