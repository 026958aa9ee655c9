// Pooling and upsampling: values by hand and from PyTorch, gradients by
// gradcheck and gradgradcheck.
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;
using dgm::test::uniform_values;

// PyTorch constants below: torch 1.13, float64, inputs from test::uniform_values
// (the same generator re-written in Python).

TEST_CASE("max_pool2d by hand", "[pool]") {
  // 1..16 in a 4x4 image, 2x2 windows: each window's max is its bottom-right element.
  Tensor x = arange(1, 17, 1, kFloat32).view({1, 1, 4, 4});
  auto [y, idx] = max_pool2d_with_indices(x, 2);
  check_values(y, {6, 8, 14, 16});
  REQUIRE(idx.dtype() == kInt64);
  check_values(idx, {5, 7, 13, 15});
  // Padding counts as -inf; stride 1 windows overlap, so x[1,1] = 6 wins twice.
  Tensor z = max_pool2d(x, 2, 1, 1);
  REQUIRE(z.shape() == Shape({1, 1, 5, 5}));
  check_values(z.index({0, 0, 0}), {1, 2, 3, 4, 4});
  // The gradient goes to the argmax, accumulated where windows share it.
  Tensor xl = x.to(kFloat64).requires_grad_();
  max_pool2d(xl, 2, 1).sum().backward();
  check_values(xl.grad(), {0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1});
}

TEST_CASE("max_pool2d matches PyTorch", "[pool]") {
  Tensor x = uniform_values({1, 1, 5, 6}, -1, 1, 31);
  // F.max_pool2d(x, 3, 2, 1, return_indices=True)
  auto [y, idx] = max_pool2d_with_indices(x, 3, 2, 1);
  check_values(y,
               {0.8788830682, 0.8788830682, 0.6699817928, 0.9736600578, 0.8739966356, 0.8739966356, 0.9749040991,
                0.9749040991, 0.8739966356},
               1e-9);
  check_values(idx, {1, 1, 11, 18, 21, 21, 25, 25, 21});
  // F.max_pool2d(x, (2,3), (2,2), 0, ceil_mode=True)
  Tensor c = max_pool2d(x, Int2(2, 3), 2, 0, true);
  REQUIRE(c.shape() == Shape({1, 1, 3, 3}));
  check_values(c,
               {0.8788830682, 0.6645579898, 0.6699817928, 0.9736600578, 0.8739966356, 0.8293146003, 0.9749040991,
                0.3240420203, -0.05843479927},
               1e-9);
}

TEST_CASE("avg_pool2d matches PyTorch", "[pool]") {
  Tensor x = uniform_values({1, 1, 5, 6}, -1, 1, 31);
  // F.avg_pool2d(x, 3, 2, 1)
  check_values(avg_pool2d(x, 3, 2, 1),
               {0.1280951974, 0.07633345189, 0.05470942662, 0.06429871254, 0.07334956004, 0.2821409414, 0.2557097126,
                0.3230233337, 0.02719826686},
               1e-9);
  // F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
  check_values(avg_pool2d(x, 3, 2, 1, false, false),
               {0.2882141942, 0.1145001778, 0.08206413992, 0.09644806881, 0.07334956004, 0.2821409414, 0.5753468533,
                0.4845350005, 0.04079740029},
               1e-9);
  // F.avg_pool2d(x, 2, 2, 1, ceil_mode=True)
  Tensor c = avg_pool2d(x, 2, 2, 1, true);
  REQUIRE(c.shape() == Shape({1, 1, 3, 4}));
  check_values(c,
               {0.1203339602, 0.3858602645, -0.07991645255, 0.1493428424, 0.1289795783, -0.1108069763, 0.01579965088,
                0.3748240983, 0.4131444526, 0.4403023353, 0.3167212181, -0.2555251176},
               1e-9);
  // By hand: a 2x2 mean of 1..4 is 2.5.
  check_values(avg_pool2d(arange(1, 5, 1, kFloat32).view({1, 2, 2}), 2), {2.5});
}

TEST_CASE("pooling gradients", "[pool]") {
  SECTION("max_pool2d with stride and padding, NHWC input viewed as NCHW") {
    auto f = [](const std::vector<Tensor>& in) { return max_pool2d(in[0].permute({0, 3, 1, 2}), 3, 2, 1); };
    REQUIRE_GRADCHECK(f, (std::vector<Tensor>{leaf({2, 5, 6, 3})}));
    REQUIRE_GRADGRADCHECK(f, (std::vector<Tensor>{leaf({2, 5, 6, 3})}));
  }
  SECTION("avg_pool2d, both divisors, ceil mode") {
    for (bool include_pad : {true, false}) {
      auto f = [include_pad](const std::vector<Tensor>& in) {
        return avg_pool2d(in[0], Int2(3, 2), Int2(2, 1), 1, true, include_pad);
      };
      REQUIRE_GRADCHECK(f, (std::vector<Tensor>{leaf({2, 3, 5, 6})}));
      REQUIRE_GRADGRADCHECK(f, (std::vector<Tensor>{leaf({1, 2, 5, 6})}));
    }
  }
}

TEST_CASE("pooling errors", "[pool]") {
  REQUIRE_THROWS_WITH(max_pool2d(zeros({1, 1, 4, 4}), 2, 2, 2), Catch::Contains("at most half the kernel"));
  REQUIRE_THROWS_WITH(avg_pool2d(zeros({1, 1, 2, 2}), 3), Catch::Contains("larger than the padded input"));
  REQUIRE_THROWS_WITH(max_pool2d(zeros({4, 4}), 2), Catch::Contains("(N,C,H,W)"));
}

TEST_CASE("upsample nearest", "[upsample]") {
  // By hand: scale 2 repeats every pixel twice in both directions.
  Tensor x = tensor(std::vector<float>{1, 2, 3, 4}, {1, 1, 2, 2});
  check_values(upsample_nearest2d(x, std::nullopt, 2.0), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  Tensor a = uniform_values({1, 1, 3, 4}, -1, 1, 41);
  // F.interpolate(a, size=(5,7), mode='nearest')
  check_values(
      interpolate(a, Int2(5, 7)),
      {0.6355094927,  0.6355094927,  -0.260395505,  -0.260395505,  0.2975017261,  0.2975017261,  -0.4633482908,
       0.6355094927,  0.6355094927,  -0.260395505,  -0.260395505,  0.2975017261,  0.2975017261,  -0.4633482908,
       -0.8268454775, -0.8268454775, 0.09387158506, 0.09387158506, -0.1139697068, -0.1139697068, -0.7659434175,
       -0.8268454775, -0.8268454775, 0.09387158506, 0.09387158506, -0.1139697068, -0.1139697068, -0.7659434175,
       -0.4541262106, -0.4541262106, -0.5114219518, -0.5114219518, -0.2833304494, -0.2833304494, -0.6291465945},
      1e-9);
  // F.interpolate(b, scale_factor=1.7, mode='nearest'): the source index uses 1/1.7, not 4/6.
  Tensor b = uniform_values({1, 1, 4, 4}, -1, 1, 42);
  Tensor y = interpolate(b, std::nullopt, 1.7);
  REQUIRE(y.shape() == Shape({1, 1, 6, 6}));
  check_values(y, {-0.5490731421, -0.5490731421, -0.1743233623, -0.1743233623, 0.2607960997,  0.2607960997,
                   -0.5490731421, -0.5490731421, -0.1743233623, -0.1743233623, 0.2607960997,  0.2607960997,
                   -0.9475421786, -0.9475421786, -0.9564783934, -0.9564783934, -0.6950899151, -0.6950899151,
                   -0.9475421786, -0.9475421786, -0.9564783934, -0.9564783934, -0.6950899151, -0.6950899151,
                   -0.9504013681, -0.9504013681, -0.2864957967, -0.2864957967, 0.0577984066,  0.0577984066,
                   -0.9504013681, -0.9504013681, -0.2864957967, -0.2864957967, 0.0577984066,  0.0577984066},
               1e-9);
}

TEST_CASE("upsample bilinear matches PyTorch", "[upsample]") {
  Tensor a = uniform_values({1, 1, 3, 4}, -1, 1, 41);
  // F.interpolate(a, size=(5,7), mode='bilinear', align_corners=False)
  check_values(
      interpolate(a, Int2(5, 7), std::nullopt, "bilinear"),
      {0.6355094927,  0.3155434221,    -0.1964022909, 0.01855311052,  0.2431552963,  -0.1916161419, -0.4633482908,
       0.05056750462, -0.009881128808, -0.1065989423, 0.00711224196,  0.08167747474, -0.3282079506, -0.5843863415,
       -0.8268454775, -0.4980179552,   0.02810608059, -0.01004906088, -0.1605392576, -0.5330956637, -0.7659434175,
       -0.6032139174, -0.4839605673,   -0.2931552071, -0.2424453447,  -0.2490346646, -0.5166227625, -0.6838653237,
       -0.4541262106, -0.4745889753,   -0.5073293989, -0.3973762006,  -0.3080316027, -0.5056408284, -0.6291465945},
      1e-9);
  // align_corners=True
  check_values(
      upsample_bilinear2d(a, Int2(5, 7), true),
      {0.6355094927,  0.1875569939,   -0.260395505,   0.01855311052,  0.2975017261,  -0.08292328237, -0.4633482908,
       -0.0956679924, -0.08946497619, -0.08326195998, 0.00425202482,  0.09176600962, -0.2614399223,  -0.6146458541,
       -0.8268454775, -0.3664869462,  0.09387158506,  -0.01004906088, -0.1139697068, -0.4399565621,  -0.7659434175,
       -0.6404858441, -0.4246305137,  -0.2087751834,  -0.2037126307,  -0.1986500781, -0.4480975421,  -0.697545006,
       -0.4541262106, -0.4827740812,  -0.5114219518,  -0.3973762006,  -0.2833304494, -0.456238522,   -0.6291465945},
      1e-9);
  // size=(2,3): downsampling
  check_values(upsample_bilinear2d(a, Int2(2, 3)),
               {0.1962958364, 0.01140256767, -0.4167252491, -0.5161047841, -0.3005444157, -0.5929532108}, 1e-9);
  // scale_factor=1.7
  Tensor b = uniform_values({1, 1, 4, 4}, -1, 1, 42);
  check_values(upsample_bilinear2d(b, std::nullopt, false, 1.7),
               {-0.5490731421, -0.4057864616, -0.1853454147, 0.06883163114,  0.2754283813,   0.3339575076,
                -0.7014289502, -0.6142347723, -0.4800898834, -0.267348366,   -0.05949664689, 0.1212756835,
                -0.9358225011, -0.9349244812, -0.9335429121, -0.7845483616,  -0.574765921,   -0.2059271228,
                -0.9491399609, -0.8087921113, -0.5928723425, -0.4101162124,  -0.1682817563,  0.256024042,
                -0.8616607912, -0.5923615491, -0.178055023,  -0.05980151175, 0.132624959,    0.5943155212,
                -0.5066984836, -0.175587265,  0.3338146099,  0.07737682066,  -0.02874069043, 0.437024685},
               1e-9);
  // float32 follows the same rule.
  check_values(upsample_bilinear2d(a.to(kFloat32), Int2(2, 3)),
               {0.1962958364, 0.01140256767, -0.4167252491, -0.5161047841, -0.3005444157, -0.5929532108}, 1e-6);
}

TEST_CASE("upsample gradients", "[upsample]") {
  auto nearest = [](const std::vector<Tensor>& in) { return upsample_nearest2d(in[0], Int2(5, 7)); };
  auto bilinear = [](const std::vector<Tensor>& in) { return upsample_bilinear2d(in[0], Int2(7, 5)); };
  auto bilinear_ac = [](const std::vector<Tensor>& in) {
    return upsample_bilinear2d(in[0].transpose(2, 3), Int2(3, 8), true);  // non-contiguous input
  };
  std::vector<Tensor> in{leaf({2, 3, 3, 4})};
  REQUIRE_GRADCHECK(nearest, in);
  REQUIRE_GRADCHECK(bilinear, in);
  REQUIRE_GRADCHECK(bilinear_ac, in);
  REQUIRE_GRADGRADCHECK(nearest, in);
  REQUIRE_GRADGRADCHECK(bilinear, in);
}

TEST_CASE("upsample errors", "[upsample]") {
  REQUIRE_THROWS_WITH(interpolate(zeros({1, 1, 2, 2}), Int2(4, 4), 2.0), Catch::Contains("exactly one"));
  REQUIRE_THROWS_WITH(interpolate(zeros({1, 1, 2, 2}), Int2(4, 4), std::nullopt, "bicubic"),
                      Catch::Contains("unknown mode"));
  REQUIRE_THROWS_WITH(upsample_nearest2d(zeros({2, 2}), Int2(4, 4)), Catch::Contains("(N,C,H,W)"));
}
