// nn::mlp: the layer layout (Linear, ReLU, ..., Linear, no activation last), parameter shapes and names, a forward
// pass against a hand computation, and its errors.
#include "nn/modules/mlp.h"

#include "autograd/grad_mode.h"
#include "tests/helpers.h"

using namespace dgm;

TEST_CASE("nn::mlp chains Linear layers with ReLU between them", "[module][mlp]") {
  auto net = nn::mlp({3, 4, 5, 2});
  REQUIRE(net->size() == 5);  // Linear, ReLU, Linear, ReLU, Linear
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  for (const auto& [name, p] : net->named_parameters()) {
    names.push_back(name);
    shapes.push_back(p.shape());
  }
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"});
  CHECK(shapes == std::vector<Shape>{{4, 3}, {4}, {5, 4}, {5}, {2, 5}, {2}});

  // A 1 -> 2 -> 1 net with set weights: y = w2 . relu(w1 x + b1) + b2; at x = 1 with w1 = (1, -1), b1 = 0,
  // w2 = (2, 3), b2 = 0.5: relu((1, -1)) = (1, 0), y = 2 + 0.5 = 2.5 (by hand).
  auto small = nn::mlp({1, 2, 1});
  auto params = small->parameters();
  {
    NoGradGuard no_grad;
    params[0].copy_(tensor(std::vector<float>{1, -1}, {2, 1}));
    params[1].zero_();
    params[2].copy_(tensor(std::vector<float>{2, 3}, {1, 2}));
    params[3].fill_(0.5);
  }
  test::check_values(small->forward(ones({1, 1})), {2.5});
}

TEST_CASE("nn::mlp refuses too few or non-positive widths", "[module][mlp]") {
  CHECK_THROWS_WITH(nn::mlp({3}), Catch::Contains("nn::mlp: expected at least an input and an output width"));
  CHECK_THROWS_WITH(nn::mlp({3, 0, 2}), Catch::Contains("nn::mlp: every width must be positive, got 0"));
}
