#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;

TEST_CASE("add broadcasts and reduces gradients back", "[elementwise]") {
  Tensor a = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = tensor(std::vector<float>{10, 20, 30}, {3});
  check_values(a + b, {11, 22, 33, 14, 25, 36});
  auto f = [](const std::vector<Tensor>& in) { return (in[0] * in[1]).sum(); };
  REQUIRE_GRADCHECK(f, (std::vector<Tensor>{leaf({7, 13, 5}), leaf({13, 1}, -1, 1, 2)}));
}

TEST_CASE("unary ops match libm", "[elementwise]") {
  Tensor x = tensor(std::vector<double>{0.5, 1.0, 2.0});
  check_values(exp(x), {std::exp(0.5), std::exp(1.0), std::exp(2.0)}, 1e-12);
  check_values(log(x), {std::log(0.5), 0.0, std::log(2.0)}, 1e-12);
}
