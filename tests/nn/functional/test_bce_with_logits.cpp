// binary_cross_entropy_with_logits with weight and pos_weight (PyTorch's
// signature): loss = w [p_w t softplus(-x) + (1 - t) softplus(x)], with
// softplus(z) = log(1 + e^z). Reference values computed by hand with Python's
// math module (the script is in each comment); gradients by float64 gradcheck.
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;
using dgm::test::check_values;
using V = std::vector<Tensor>;

namespace {
namespace F = nn::functional;
Tensor logits() { return tensor(std::vector<double>{0.5, -1.0, 2.0, 3.0, -0.2, 0.0}, {2, 3}); }
Tensor targets() { return tensor(std::vector<double>{1, 0, 1, 0, 1, 0.5}, {2, 3}); }
Tensor pos_weight() { return tensor(std::vector<double>{2, 0.5, 1}); }
Tensor weights() { return tensor(std::vector<double>{1, 2, 0.5, 1, 1, 3}, {2, 3}); }
}  // namespace

TEST_CASE("bce_with_logits pos_weight matches a hand computation", "[loss][bce]") {
  // sp = lambda z: math.log1p(math.exp(-abs(z))) + max(z, 0)
  // L[i][j] = pw[j] t[i][j] sp(-x[i][j]) + (1 - t[i][j]) sp(x[i][j]); e.g. L[0][0] = 2 log(1 + e^-0.5)
  Tensor none = F::binary_cross_entropy_with_logits(logits(), targets(), "none", Tensor(), pos_weight());
  check_values(none,
               {0.9481539683602134, 0.31326168751822286, 0.1269280110429725, 3.048587351573742, 0.3990694346907959,
                0.6931471805599453},
               1e-12);
  check_values(F::binary_cross_entropy_with_logits(logits(), targets(), "mean", Tensor(), pos_weight()),
               {0.9215246056243154}, 1e-12);
  // sum(L[i][j] w[i][j])
  check_values(F::binary_cross_entropy_with_logits(logits(), targets(), "sum", weights(), pos_weight()),
               {7.1652396768625195}, 1e-12);
  // pos_weight of ones is the plain loss
  check_values(F::binary_cross_entropy_with_logits(logits(), targets(), "none", Tensor(), ones({3}, kFloat64)),
               F::binary_cross_entropy_with_logits(logits(), targets(), "none").to_vector<double>(), 1e-15);
}

TEST_CASE("bce_with_logits pos_weight is stable for large logits", "[loss][bce]") {
  // x = 100, t = 0: sp(100) = 100; x = -100, t = 1, p_w = 2: 2 sp(100) = 200.
  // d/dx = (1 - t) sigmoid(x) - p_w t sigmoid(-x) = 1 and -2 (to double precision)
  Tensor x = tensor(std::vector<double>{100, -100}, {1, 2}).requires_grad_();
  Tensor t = tensor(std::vector<double>{0, 1}, {1, 2});
  Tensor pw = tensor(std::vector<double>{1, 2}).requires_grad_();
  Tensor loss = F::binary_cross_entropy_with_logits(x, t, "none", Tensor(), pw);
  check_values(loss, {100, 200}, 1e-12);
  loss.sum().backward();
  check_values(x.grad(), {1, -2}, 1e-12);
  // d/dp_w = t sp(-x) = [0, 100]
  check_values(pw.grad(), {0, 100}, 1e-12);
  // float32 too
  Tensor x32 = tensor(std::vector<float>{-1e4f, 1e4f}).requires_grad_();
  Tensor l32 = F::binary_cross_entropy_with_logits(x32, tensor(std::vector<float>{1, 0}), "sum", Tensor(),
                                                   tensor(std::vector<float>{3}));
  check_values(l32, {4e4}, 0, 1e-6);  // 3 sp(1e4) + sp(1e4)
  l32.backward();
  check_values(x32.grad(), {-3, 1}, 1e-6);
}

TEST_CASE("bce_with_logits gradients in logits, target, weight and pos_weight", "[loss][bce]") {
  Tensor x = logits().requires_grad_();
  Tensor t = (targets() * 0.8 + 0.1).requires_grad_();  // interior targets
  Tensor pw = pos_weight().requires_grad_();
  Tensor w = weights().requires_grad_();
  for (const char* reduction : {"none", "mean", "sum"}) {
    INFO(reduction);
    REQUIRE_GRADCHECK(
        [reduction](const V& in) {
          return dgm::test::wsum(F::binary_cross_entropy_with_logits(in[0], in[1], reduction, in[3], in[2]));
        },
        (V{x, t, pw, w}));
  }
  // pos_weight of shape (2, 1) broadcasts over the classes too, and a 0-dim one everywhere
  Tensor pw21 = tensor(std::vector<double>{1.5, 0.7}, {2, 1}).requires_grad_();
  REQUIRE_GRADCHECK(
      [](const V& in) { return F::binary_cross_entropy_with_logits(in[0], in[1], "sum", Tensor(), in[2]); },
      (V{x, t, pw21}));
  REQUIRE_GRADGRADCHECK(
      [](const V& in) { return F::binary_cross_entropy_with_logits(in[0], in[1], "sum", Tensor(), in[2]); },
      (V{x, t, pos_weight().requires_grad_()}));
}

TEST_CASE("bce_with_logits weight and pos_weight shape errors", "[loss][bce]") {
  REQUIRE_THROWS_WITH(
      F::binary_cross_entropy_with_logits(logits(), targets(), "mean", Tensor(), ones({4}, kFloat64)),
      Contains("binary_cross_entropy_with_logits: pos_weight of shape (4) cannot be broadcast to the input's shape "
               "(2,3) (it weighs the last dim, one value per class)"));
  REQUIRE_THROWS_WITH(F::binary_cross_entropy_with_logits(logits(), targets(), "mean", ones({3, 3}, kFloat64)),
                      Contains("binary_cross_entropy_with_logits: weight of shape (3,3) cannot be broadcast to the "
                               "input's shape (2,3)"));
  REQUIRE_THROWS_WITH(
      F::binary_cross_entropy_with_logits(logits(), targets(), "mean", Tensor(), ones({1, 2, 3}, kFloat64)),
      Contains("pos_weight of shape (1,2,3) cannot be broadcast"));
  REQUIRE_THROWS_WITH(
      F::binary_cross_entropy_with_logits(logits(), targets(), "mean", Tensor(), tensor(std::vector<int64_t>{1, 2, 3})),
      Contains("binary_cross_entropy_with_logits: expected a floating point pos_weight, got int64"));
}
