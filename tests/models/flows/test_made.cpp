// MADE's masks (models/flows/made.h): the autoregressive property checked by
// autograd, d out_d / d x_j == 0 exactly when order[j] >= order[d] and nonzero
// for some earlier input; the degree construction; bad arguments.
#include <catch2/catch.hpp>

#include "dgm.h"
#include "models/flows/made.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

// J[o][j] = max over the rows b of x0 of |d out_o / d x_j| at x0[b], by autograd, one output at a time
// (several points: a ReLU net can have a zero derivative at one point by chance).
std::vector<std::vector<double>> jacobian(MADE& made, const Tensor& x0) {
  const int64_t outputs = 2 * made.dim();
  std::vector<std::vector<double>> jac;
  for (int64_t o = 0; o < outputs; ++o) {
    Tensor x = x0.detach().clone().requires_grad_();
    made.forward(x).select(1, o).sum().backward();
    jac.push_back(x.grad().abs().amax({0}).to_vector<double>());
  }
  return jac;
}

void check_autoregressive(int64_t dim, const std::vector<int64_t>& hidden, const std::vector<int64_t>& order) {
  Generator gen(7);
  MADE made(dim, hidden, order);
  for (const auto& l : made.layers()) l->reset_parameters(&gen);
  made.to(kFloat64);
  const std::vector<int64_t>& degree = made.order();
  Tensor x = test::uniform_values({8, dim}, -1, 1, 3);
  auto jac = jacobian(made, x);
  for (int64_t o = 0; o < 2 * dim; ++o) {
    const int64_t d = o % dim;
    bool some_nonzero = false;
    for (int64_t j = 0; j < dim; ++j) {
      const double g = jac[static_cast<size_t>(o)][static_cast<size_t>(j)];
      INFO("D=" << dim << " output " << o << " (dimension " << d << ", degree " << degree[d] << ") input " << j
                << " (degree " << degree[j] << "): d out / d x = " << g);
      if (degree[j] >= degree[d])
        CHECK(g == 0.0);
      else if (g != 0.0)
        some_nonzero = true;
    }
    INFO("D=" << dim << " output " << o << " depends on no earlier input");
    if (degree[d] > 1) CHECK(some_nonzero);
  }
}

}  // namespace

TEST_CASE("MADE: d out_d / d x_j is exactly 0 for j >= d and nonzero for some j < d (natural order)", "[flows]") {
  check_autoregressive(3, {16, 16}, {});
  check_autoregressive(5, {32}, {});
  check_autoregressive(6, {24, 24, 24}, {});
}

TEST_CASE("MADE: the autoregressive property under a given order, and without hidden layers", "[flows]") {
  check_autoregressive(5, {32, 32}, {3, 1, 5, 2, 4});
  check_autoregressive(4, {}, {4, 2, 1, 3});
}

TEST_CASE("MADE: degrees cycle through [min of the previous layer, D-1]; the masks follow them", "[flows]") {
  MADE made(4, {5, 3}, {});
  // inputs 1..4; hidden 1: lo = 1, cycling 1,2,3; hidden 2: lo = 1 again.
  REQUIRE(made.degrees().size() == 3);
  CHECK(made.degrees()[0] == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(made.degrees()[1] == std::vector<int64_t>{1, 2, 3, 1, 2});
  CHECK(made.degrees()[2] == std::vector<int64_t>{1, 2, 3});
  // hidden k <- input j iff m_k >= m_j: unit 1 (degree 2) sees inputs 1, 2.
  test::check_values(made.layers()[0]->mask.select(0, 1), {1, 1, 0, 0}, 0, 0);
  // output of dimension d <- k iff d > m_k: dimension 3's mu sees hidden-2 units of degree 1, 2.
  test::check_values(made.layers()[2]->mask.select(0, 2), {1, 1, 0}, 0, 0);
  // dimension 1's mu and log sigma see nothing.
  test::check_values(made.layers()[2]->mask.select(0, 0), {0, 0, 0}, 0, 0);
  test::check_values(made.layers()[2]->mask.select(0, 4), {0, 0, 0}, 0, 0);
}

TEST_CASE("MADE: D = 1 gives constant outputs", "[flows]") {
  MADE made(1, {4}, {});
  made.to(kFloat64);
  Tensor a = made.forward(tensor(std::vector<double>{-3.0}, {1, 1}));
  Tensor b = made.forward(tensor(std::vector<double>{5.0}, {1, 1}));
  CHECK((a - b).abs().max().item() == 0.0);
}

TEST_CASE("MADE and MaskedLinear: bad arguments are errors naming them", "[flows]") {
  CHECK_THROWS_WITH(MADE(0, {4}), Catch::Contains("MADE: dim must be at least 1, got 0"));
  CHECK_THROWS_WITH(MADE(3, {4, 0}), Catch::Contains("MADE: every hidden size must be at least 1, got 0"));
  CHECK_THROWS_WITH(MADE(3, {4}, {1, 2, 2}), Catch::Contains("MADE: order must be a permutation of 1..3"));
  CHECK_THROWS_WITH(MADE(3, {4}, {1, 2}), Catch::Contains("MADE: order must be a permutation of 1..3"));
  MADE made(3, {4});
  CHECK_THROWS_WITH(made.forward(zeros({2, 4})), Catch::Contains("MADE: expected input (B,3), got (2,4)"));
  CHECK_THROWS_WITH(made.forward(zeros({2, 3}), {}), Catch::Contains("MADE: expected 2 masked weights, got 0"));
  CHECK_THROWS_WITH(MaskedLinear(3, 2, ones({3, 2})),
                    Catch::Contains("MaskedLinear: the mask must be (out_features,in_features) = (2,3), got (3,2)"));
  CHECK_THROWS_WITH(MaskedLinear(2, 2, full({2, 2}, 0.5)),
                    Catch::Contains("MaskedLinear: the mask must hold only zeros and ones"));
}

TEST_CASE("MaskedLinear: y = x (W * M)^T + b, and masked weights get zero gradient", "[flows]") {
  Tensor mask = tensor(std::vector<double>{1, 0, 1, 0, 1, 1}, {2, 3});
  MaskedLinear layer(3, 2, mask);
  layer.to(kFloat64);
  {
    NoGradGuard g;
    layer.weight.copy_(tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}));
    layer.bias.copy_(tensor(std::vector<double>{0.5, -0.5}, {2}));
  }
  Tensor x = tensor(std::vector<double>{1, 10, 100}, {1, 3});
  Tensor y = layer.forward(x);
  // row 0: 1*1 + 3*100 + 0.5; row 1: 5*10 + 6*100 - 0.5 (hand computed)
  test::check_values(y, {301.5, 649.5}, 0, 0);
  y.sum().backward();
  test::check_values(layer.weight.grad(), {1, 0, 100, 0, 10, 100}, 0, 0);
}
