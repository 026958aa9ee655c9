// The NCSN's networks: ConditionedResnetBlock against a hand computation (dim 1, hand-set 1x1 and 3x3 weights, the
// level's embedding added before the block), ConditionedSimpleResnet's shapes and its dependence on the level,
// seminar 8's ConditionalScoreModel, geometric_sigmas against NumPy's exp(linspace(log max, log min, L)).
#include <catch2/catch.hpp>

#include "dgm.h"
#include "models/score/conditional_score_model.h"
#include "models/score/conditioned_resnet.h"
#include "models/score/ncsn.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::score;

namespace {

void set(Tensor& t, const std::vector<float>& values) {
  NoGradGuard no_grad;
  t.copy_(tensor(values).view(t.shape()));
}

int64_t count(const nn::Module& m) {
  int64_t n = 0;
  for (const Tensor& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

TEST_CASE("ConditionedResnetBlock with hand-set weights: x + block(x + E[y])", "[score][ncsn]") {
  ConditionedResnetBlock b(1, 2);
  auto conv1 = std::dynamic_pointer_cast<nn::Conv2d>((*b.block)[0]);
  auto conv2 = std::dynamic_pointer_cast<nn::Conv2d>((*b.block)[2]);
  auto conv3 = std::dynamic_pointer_cast<nn::Conv2d>((*b.block)[4]);
  REQUIRE(conv1);
  REQUIRE(conv2);
  REQUIRE(conv3);
  CHECK(conv1->kernel_size.h == 1);
  CHECK(conv2->kernel_size.h == 3);
  CHECK(conv2->padding.h == 1);
  CHECK(conv3->kernel_size.w == 1);
  set(conv1->weight, {1});
  set(conv1->bias, {0});
  // 3x3: 2 at the centre, 1 at the right neighbour (cross-correlation: out[i][j] += r[i][j+1], zero padding)
  set(conv2->weight, {0, 0, 0, 0, 2, 1, 0, 0, 0});
  set(conv2->bias, {0});
  set(conv3->weight, {1});
  set(conv3->bias, {0.5f});
  set(b.embedding->weight, {0.5f, -3});
  const Tensor x = tensor(std::vector<float>{1, -1, 2, 0, 1, -1, 2, 0}, {2, 1, 2, 2});
  const Tensor y = tensor(std::vector<int64_t>{0, 1});
  // y = 0: u = x + 0.5 = [[1.5, -0.5], [2.5, 0.5]], r = relu(u) = [[1.5, 0], [2.5, 0.5]],
  //   conv3x3 = [[3, 0], [5.5, 1]], out = x + conv3x3 + 0.5 = [[4.5, -0.5], [8, 1.5]]
  // y = 1: u = x - 3 < 0, r = 0, out = x + 0.5
  test::check_values(b.forward(x, y), {4.5, -0.5, 8, 1.5, 1.5, -0.5, 2.5, 0.5});
  CHECK_THROWS_WITH(b.forward(x), Catch::Contains("level index y"));
  CHECK_THROWS_WITH(b.forward(x, tensor(std::vector<int64_t>{0})), Catch::Contains("ConditionedResnetBlock"));
}

TEST_CASE("ConditionedSimpleResnet: shapes, parameters, and the output depends on the level", "[score][ncsn]") {
  manual_seed(3);
  ConditionedSimpleResnet net(1, 1, 8, 2, 10);
  // first 3x3 (1*8*9 + 8), two blocks of 1x1, 3x3, 1x1 and an embedding (64+8 + 576+8 + 64+8 + 80), last 3x3 (72+1)
  CHECK(count(net) == 80 + 2 * (72 + 584 + 72 + 80) + 73);
  const Tensor x = randn({3, 1, 28, 28});
  const Tensor y0 = zeros({3}, kInt64), y1 = ones({3}, kInt64);
  const Tensor out0 = net.forward(x, y0);
  REQUIRE(out0.shape() == Shape{3, 1, 28, 28});
  // the notebook's check: another level gives another output
  CHECK((out0 - net.forward(x, y1)).abs().max().item() > 1e-4);
  CHECK_THROWS_WITH(net.forward(randn({3, 2, 28, 28}), y0), Catch::Contains("ConditionedSimpleResnet"));
}

TEST_CASE("ConditionalScoreModel: seminar 8's layers, the score depends on sigma", "[score][ncsn]") {
  manual_seed(4);
  const Tensor sigmas = tensor(std::vector<double>{8, 1, 0.1});
  ConditionalScoreModel m(sigmas);
  // embed: Linear(1,16) + Linear(16,16); net: Linear(18,128) + Linear(128,2)
  CHECK(count(m) == (16 + 16) + (256 + 16) + (18 * 128 + 128) + (256 + 2));
  const Tensor x = randn({5, 2});
  const Tensor out = m.forward(x, tensor(std::vector<int64_t>{0, 1, 2, 0, 1}));
  REQUIRE(out.shape() == Shape{5, 2});
  // forward(x, level) is forward_sigma(x, sigma[level])
  const Tensor by_sigma = m.forward_sigma(x, tensor(std::vector<float>{8, 1, 0.1f, 8, 1}, {5, 1}));
  test::check_values(out, by_sigma.to_vector<double>(), 1e-6, 1e-6);
  CHECK((m.forward(x, zeros({5}, kInt64)) - m.forward(x, full({5}, 2.0, kInt64))).abs().max().item() > 1e-5);
  CHECK_THROWS(m.forward(x, full({5}, 3.0, kInt64)));
}

TEST_CASE("geometric_sigmas: NumPy's exp(linspace(log max, log min, L))", "[score][ncsn]") {
  // np.exp(np.linspace(np.log(8), np.log(0.1), 10)), printed with %.17g
  const std::vector<double> expected{7.9999999999999991,  4.9162679375551726,  3.0212113042291247,  1.8566355334451112,
                                     1.1409647181002307,  0.70116103268473007, 0.43088693800637673, 0.2647944547540092,
                                     0.16272506099369244, 0.10000000000000002};
  const std::vector<double> got = geometric_sigmas(8, 0.1, 10);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).epsilon(1e-12));
  CHECK_THROWS_WITH(geometric_sigmas(0.1, 8, 10), Catch::Contains("sigma_max > sigma_min"));
  CHECK_THROWS(geometric_sigmas(8, 0.1, 1));
}
