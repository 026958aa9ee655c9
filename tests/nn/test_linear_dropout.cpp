#include "nn/functional/linear.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;

TEST_CASE("linear computes x W^T + b", "[nn][linear]") {
  // Hand-computed: x = [[1,2,3]], W = [[1,0,-1],[2,1,0]], b = [0.5,-1]
  // y0 = 1 - 3 + 0.5 = -1.5; y1 = 2 + 2 - 1 = 3
  Tensor x = tensor(std::vector<float>{1, 2, 3}, {1, 3});
  Tensor w = tensor(std::vector<float>{1, 0, -1, 2, 1, 0}, {2, 3});
  Tensor b = tensor(std::vector<float>{0.5f, -1});
  Tensor y = linear(x, w, b);
  REQUIRE(y.shape() == Shape{1, 2});
  check_values(y, {-1.5, 3});
  check_values(linear(x, w), {-2, 4});
}

TEST_CASE("linear gradients, batched input and second derivatives", "[nn][linear]") {
  auto f = [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]).tanh(); };
  std::vector<Tensor> in{leaf({2, 3, 4}, -1, 1, 1), leaf({5, 4}, -1, 1, 2), leaf({5}, -1, 1, 3)};
  REQUIRE_GRADCHECK(f, in);
  REQUIRE_GRADGRADCHECK(f, in);
}

TEST_CASE("linear rejects mismatched shapes", "[nn][linear]") {
  REQUIRE_THROWS_WITH(linear(ones({2, 3}), ones({4, 5})),
                      Catch::Contains("linear") && Catch::Contains("(2,3)") && Catch::Contains("(4,5)"));
}

TEST_CASE("dropout zeroes about p of the elements and rescales the rest", "[nn][dropout]") {
  Generator gen(7);
  Tensor x = ones({100000});
  Tensor y = dropout(x, 0.25, true, &gen);
  std::vector<float> v = y.to_vector<float>();
  int64_t zeros_count = 0;
  for (float e : v) {
    REQUIRE((e == 0.0f || std::fabs(e - 1.0f / 0.75f) < 1e-6f));
    zeros_count += e == 0.0f;
  }
  // Binomial(1e5, 0.25): sd = sqrt(1e5 * 0.25 * 0.75) = 137; allow 5 sd.
  REQUIRE(std::abs(zeros_count - 25000) < 5 * 137);
  // Evaluation mode is the identity.
  REQUIRE(dropout(x, 0.25, false).is_same(x));
}

TEST_CASE("dropout gradient is the same mask, rescaled", "[nn][dropout]") {
  Generator gen(3);
  Tensor x = leaf({50});
  Tensor y = dropout(x, 0.5, true, &gen);
  y.sum().backward();
  std::vector<double> yv = y.to_vector<double>(), xv = x.to_vector<double>(), g = x.grad().to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i) {
    bool kept = yv[i] != 0.0;
    REQUIRE(g[i] == Approx(kept ? 2.0 : 0.0));
    if (kept) REQUIRE(yv[i] == Approx(2.0 * xv[i]));
  }
}
