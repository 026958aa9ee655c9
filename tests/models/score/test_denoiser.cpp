// Seminar 8's heuristic denoiser (models/score/basic_unet.h, heuristic_denoiser.h):
//   * BasicUNet keeps the image size, has the seminar's 309,057 parameters (counted by hand below), refuses sizes
//     its two max-pools cannot halve;
//   * the corruption (1 - a) x + a u against the formula with the same uniform draws;
//   * the sampler's mixing rule x <- (1 - 1/(n - i)) x + (1/(n - i)) net(x) on a network whose output is a known
//     constant: after the first step 0.9 x_0 + 0.1 c, after the last exactly c.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dgm.h"
#include "models/score/heuristic_denoiser.h"

using namespace dgm;
using namespace dgm::models::score;

TEST_CASE("BasicUNet maps 1x28x28 to 1x28x28 with the seminar's parameter count", "[score][denoiser]") {
  BasicUNet net;
  manual_seed(1);
  const Tensor y = net.forward(randn({2, 1, 28, 28}));
  CHECK(y.shape() == Shape{2, 1, 28, 28});
  int64_t count = 0;
  for (const Tensor& p : net.parameters()) count += p.numel();
  // 5x5 convs: 1->32, 32->64, 64->64 | 64->64, 64->32, 32->1, weights 25 in out, plus out biases
  const int64_t expected = (25 * 32 + 32) + (25 * 32 * 64 + 64) + (25 * 64 * 64 + 64) + (25 * 64 * 64 + 64) +
                           (25 * 64 * 32 + 32) + (25 * 32 + 1);
  CHECK(expected == 309057);
  CHECK(count == expected);
  CHECK_THROWS_WITH(net.forward(zeros({1, 1, 30, 30})), Catch::Contains("divisible by 4"));
  // every parameter gets a gradient
  net.forward(randn({1, 1, 28, 28})).sum().backward();
  for (const Tensor& p : net.parameters()) CHECK(p.grad().defined());
}

TEST_CASE("the uniform corruption is (1 - a) x + a u per image", "[score][denoiser]") {
  const Tensor x = full({2, 1, 4, 4}, 0.8);
  const Tensor a = tensor(std::vector<float>{0.f, 0.25f});
  Generator g1(4), g2(4);
  const Tensor out = HeuristicDenoiser::corrupt(x, a, &g1);
  const std::vector<float> u = rand_like(x, &g2).to_vector<float>(), o = out.to_vector<float>();
  for (size_t i = 0; i < o.size(); ++i) {
    const double amount = i < 16 ? 0.0 : 0.25;
    CHECK(o[i] == Approx((1 - amount) * 0.8 + amount * u[i]).margin(1e-6));
  }
  CHECK_THROWS_WITH(HeuristicDenoiser::corrupt(x, zeros({3}), &g1), Catch::Contains("amounts (B)"));
}

TEST_CASE("the 10-step sampler mixes x with the prediction by 1/(n - i), ending on the prediction",
          "[score][denoiser]") {
  HeuristicDenoiser model(4, 8, 10);
  {
    NoGradGuard no_grad;
    for (Tensor& p : model.parameters()) p.zero_();
    // every conv outputs 0 but the last, whose bias 0.7 makes net(x) = silu(0.7) everywhere
    model.net->up_layers->parameters().back().fill_(0.7);
  }
  const double c = 0.7 / (1 + std::exp(-0.7));
  std::vector<Tensor> frames;
  Generator gen(2);
  const Tensor out = model.sample_with_trajectory(3, 10, &gen, [&](int64_t, const Tensor& x) { frames.push_back(x); });
  REQUIRE(frames.size() == 11u);
  const std::vector<float> x0 = frames[0].to_vector<float>(), x1 = frames[1].to_vector<float>();
  for (size_t i = 0; i < x0.size(); i += 97) CHECK(x1[i] == Approx(0.9 * x0[i] + 0.1 * c).margin(1e-5));
  CHECK(out.min().item() == Approx(c).epsilon(1e-6));
  CHECK(out.max().item() == Approx(c).epsilon(1e-6));
  CHECK(out.shape() == Shape{3, 1, 28, 28});
}
