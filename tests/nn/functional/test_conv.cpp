// conv2d and conv_transpose2d: values against a direct loop written here (in
// float64) and against PyTorch, gradients by gradcheck and gradgradcheck.
#include "tensor/cpu/conv_direct.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;
using dgm::test::uniform_values;

namespace {

struct ConvCase {
  Shape x, w;
  Int2 stride = 1, padding = 0, dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

// y[n,o,a,b] = bias[o] + sum_{c,i,j} w[o,c,i,j] x[n, g*Cg + c, a*sH - pH + i*dH, b*sW - pW + j*dW]
std::vector<double> direct_conv2d(const Tensor& xt, const Tensor& wt, const Tensor& bt, const ConvCase& k,
                                  Shape& out_shape) {
  std::vector<double> x = xt.to_vector<double>(), w = wt.to_vector<double>();
  std::vector<double> b = bt.defined() ? bt.to_vector<double>() : std::vector<double>(k.w[0], 0.0);
  const int64_t N = k.x[0], C = k.x[1], H = k.x[2], W = k.x[3], O = k.w[0], Cg = k.w[1], kH = k.w[2], kW = k.w[3];
  const int64_t Ho = (H + 2 * k.padding.h - k.dilation.h * (kH - 1) - 1) / k.stride.h + 1;
  const int64_t Wo = (W + 2 * k.padding.w - k.dilation.w * (kW - 1) - 1) / k.stride.w + 1;
  out_shape = {N, O, Ho, Wo};
  std::vector<double> y(N * O * Ho * Wo);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t a = 0; a < Ho; ++a)
        for (int64_t bb = 0; bb < Wo; ++bb) {
          double s = b[o];
          const int64_t g = o / (O / k.groups);
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < kH; ++i)
              for (int64_t j = 0; j < kW; ++j) {
                const int64_t h = a * k.stride.h - k.padding.h + i * k.dilation.h;
                const int64_t ww = bb * k.stride.w - k.padding.w + j * k.dilation.w;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                s += w[((o * Cg + c) * kH + i) * kW + j] * x[((n * C + g * Cg + c) * H + h) * W + ww];
              }
          y[((n * O + o) * Ho + a) * Wo + bb] = s;
        }
  return y;
}

// The transpose, by scattering: y[n, g*Og + o, a*s - p + i*d, ...] += x[n,c,a,b] w[c,o,i,j]
std::vector<double> direct_conv_transpose2d(const Tensor& xt, const Tensor& wt, Int2 s, Int2 p, Int2 op, int64_t groups,
                                            Int2 d, Shape& out_shape) {
  std::vector<double> x = xt.to_vector<double>(), w = wt.to_vector<double>();
  const int64_t N = xt.size(0), C = xt.size(1), H = xt.size(2), W = xt.size(3);
  const int64_t Og = wt.size(1), kH = wt.size(2), kW = wt.size(3), O = Og * groups, Cg = C / groups;
  const int64_t Ho = (H - 1) * s.h - 2 * p.h + d.h * (kH - 1) + op.h + 1;
  const int64_t Wo = (W - 1) * s.w - 2 * p.w + d.w * (kW - 1) + op.w + 1;
  out_shape = {N, O, Ho, Wo};
  std::vector<double> y(N * O * Ho * Wo, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t a = 0; a < H; ++a)
        for (int64_t b = 0; b < W; ++b)
          for (int64_t o = 0; o < Og; ++o)
            for (int64_t i = 0; i < kH; ++i)
              for (int64_t j = 0; j < kW; ++j) {
                const int64_t h = a * s.h - p.h + i * d.h, ww = b * s.w - p.w + j * d.w;
                if (h < 0 || h >= Ho || ww < 0 || ww >= Wo) continue;
                const int64_t oc = (c / Cg) * Og + o;
                y[((n * O + oc) * Ho + h) * Wo + ww] +=
                    x[((n * C + c) * H + a) * W + b] * w[((c * Og + o) * kH + i) * kW + j];
              }
  return y;
}

}  // namespace

TEST_CASE("conv2d on a hand-computed case", "[conv]") {
  // x = 1..9 in a 3x3 image, a 2x2 kernel of ones, stride 2, padding 1: each
  // output sums the part of its window inside the image.
  Tensor x = arange(1, 10, 1, kFloat32).view({1, 1, 3, 3});
  Tensor w = ones({1, 1, 2, 2});
  check_values(conv2d(x, w, {}, 2, 1), {1, 2 + 3, 4 + 7, 5 + 6 + 8 + 9});
  // [[1,0],[0,-1]] without padding: x[i,j] - x[i+1,j+1] = -4 everywhere.
  Tensor d = tensor(std::vector<float>{1, 0, 0, -1}, {1, 1, 2, 2});
  Tensor y = conv2d(x, d);
  REQUIRE(y.shape() == Shape({1, 1, 2, 2}));
  check_values(y, {-4, -4, -4, -4});
}

TEST_CASE("conv2d matches a direct loop", "[conv]") {
  std::vector<ConvCase> cases = {
      {{2, 4, 7, 8}, {6, 4, 3, 3}},
      {{2, 4, 7, 8}, {6, 4, 3, 3}, 2, Int2(1, 2)},
      {{2, 4, 9, 8}, {5, 4, 3, 2}, 1, 2, 2, 1, false},
      {{2, 4, 7, 8}, {6, 2, 3, 3}, Int2(2, 1), 1, 1, 2},
      {{3, 4, 6, 5}, {4, 1, 3, 3}, 1, 1, Int2(1, 2), 4},
      {{2, 6, 5, 7}, {4, 6, 1, 1}},              // pointwise: no im2col
      {{2, 6, 5, 7}, {4, 3, 1, 1}, 1, 0, 1, 2},  // pointwise with groups
      {{2, 3, 30, 31}, {5, 3, 5, 5}, 1, 2},      // a larger image
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const ConvCase& k = cases[ci];
    INFO("case " << ci);
    Tensor x = uniform_values(k.x, -1, 1, 3 + ci), w = uniform_values(k.w, -1, 1, 4 + ci);
    Tensor b = k.bias ? uniform_values({k.w[0]}, -1, 1, 5 + ci) : Tensor();
    Shape shape;
    std::vector<double> expected = direct_conv2d(x, w, b, k, shape);
    Tensor y = conv2d(x, w, b, k.stride, k.padding, k.dilation, k.groups);
    REQUIRE(y.shape() == shape);
    check_values(y, expected, 1e-12, 1e-12);
    Tensor y32 = conv2d(x.to(kFloat32), w.to(kFloat32), k.bias ? b.to(kFloat32) : Tensor(), k.stride, k.padding,
                        k.dilation, k.groups);
    REQUIRE(y32.dtype() == kFloat32);
    check_values(y32, expected, 1e-4, 1e-4);
  }
}

// float32 with stride 1, a kernel larger than 1x1 and rows of a multiple of 16 pixels (or 25 taps and more) runs the
// direct kernels (tensor/cpu/conv_direct.h) forward and for both gradients; float64 runs im2col + GEMM: the loop
// above and the float64 path (itself gradchecked below) are the references.
TEST_CASE("conv2d float32 direct kernels: every block of output channels, partial pixel chunks, gradients", "[conv]") {
  std::vector<ConvCase> cases = {
      {{2, 3, 5, 16}, {16, 3, 3, 3}, 1, 1},                // one block of 16 channels, one 16-pixel chunk
      {{1, 5, 7, 17}, {31, 5, 5, 5}, 1, 2},                // blocks 16, 8, 4, 2, 1; 17 = 16 + a 1-pixel chunk
      {{3, 33, 6, 32}, {7, 33, 3, 3}, 1, 1, 1, 1, false},  // blocks 4, 2, 1; 33 input channels; no bias
      {{2, 4, 9, 20}, {37, 4, 5, 5}, 1, 2},                // 37 = 2 x 16 + 4 + 1; a partial chunk of 4
      {{2, 2, 8, 16}, {3, 2, 2, 3}, 1, Int2(0, 1)},        // an even kernel, unequal padding
      {{2, 3, 10, 16}, {5, 3, 3, 1}, 1, Int2(1, 0)},       // a 3x1 kernel
      {{1, 6, 6, 18}, {1, 6, 3, 3}, 1, 0},                 // one output channel, no padding
      {{2, 4, 6, 12}, {4, 4, 5, 5}, 1, 3},                 // padding > kernel / 2: a wider output
      {{2, 3, 6, 13}, {9, 3, 7, 7}, 1, 3},                 // a 7x7 kernel: taps in groups of 3, 3, 1
  };
  int direct_input_grads = 0;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const ConvCase& k = cases[ci];
    INFO("case " << ci);
    Tensor x = uniform_values(k.x, -1, 1, 40 + ci), w = uniform_values(k.w, -1, 1, 50 + ci);
    Tensor b = k.bias ? uniform_values({k.w[0]}, -1, 1, 60 + ci) : Tensor();
    Shape shape;
    const std::vector<double> expected = direct_conv2d(x, w, b, k, shape);
    kernels::Conv2dGeometry geo{k.x[0], k.x[1], k.x[2], k.x[3], k.w[0], k.w[2], k.w[3], shape[2], shape[3]};
    geo.pH = k.padding.h, geo.pW = k.padding.w;
    REQUIRE(cpu::direct_conv2d_applies(geo));  // the case reaches the direct kernels, not the GEMM
    REQUIRE(cpu::direct_conv2d_weight_grad_applies(geo));
    direct_input_grads += cpu::direct_conv2d_input_grad_applies(geo) ? 1 : 0;
    Tensor x32 = x.to(kFloat32).requires_grad_(), w32 = w.to(kFloat32).requires_grad_();
    Tensor y32 = conv2d(x32, w32, k.bias ? b.to(kFloat32) : Tensor(), k.stride, k.padding);
    REQUIRE(y32.shape() == shape);
    // float32 sums of up to K = C kH kW = 297 terms of magnitude <= 1: the float32 tolerance of the test above
    check_values(y32, expected, 1e-4, 1e-4);
    // the input and weight gradients for a random output gradient r, against the float64 im2col path
    Tensor r = uniform_values(shape, -1, 1, 70 + ci);
    Tensor x64 = x.clone().requires_grad_(), w64 = w.clone().requires_grad_();
    (conv2d(x64, w64, b, k.stride, k.padding) * r).sum().backward();
    (y32 * r.to(kFloat32)).sum().backward();
    // dx sums up to O kH kW = 37 x 25 = 925 products of magnitude <= 1: float32's K u = 925 x 6e-8 = 5.5e-5
    check_values(x32.grad(), x64.grad().to_vector<double>(), 1e-4, 1e-4);
    // dw sums N Ho Wo <= 3 x 6 x 32 products of magnitude <= 1 per weight
    check_values(w32.grad(), w64.grad().to_vector<double>(), 2e-4, 1e-4);
  }
  CHECK(direct_input_grads == 9);  // every case
}

TEST_CASE("conv2d float32 direct weight gradient does not depend on the number of threads", "[conv]") {
  const int threads = get_num_threads();
  auto weight_grad = [](int n) {
    set_num_threads(n);
    Tensor x = uniform_values({4, 24, 16, 32}, -1, 1, 80).to(kFloat32);  // above the kernel's parallel size
    Tensor w = uniform_values({40, 24, 3, 3}, -1, 1, 81).to(kFloat32).requires_grad_();
    (conv2d(x, w, Tensor(), 1, 1) * uniform_values({4, 40, 16, 32}, -1, 1, 82).to(kFloat32)).sum().backward();
    return w.grad().to_vector<double>();
  };
  const std::vector<double> one = weight_grad(1), two = weight_grad(2), three = weight_grad(3);
  set_num_threads(threads);
  CHECK(one == two);
  CHECK(one == three);
}

TEST_CASE("conv2d handles many channels (im2col in chunks) and unbatched input", "[conv]") {
  // K = 64*3*3 = 576 and Wo = 48: col holds 2^20 numbers, i.e. 37 output rows, so im2col runs in two chunks.
  ConvCase k{{2, 64, 48, 48}, {3, 64, 3, 3}, 1, 1};
  Tensor x = uniform_values(k.x, -1, 1, 7), w = uniform_values(k.w, -1, 1, 8), b = uniform_values({3}, -1, 1, 9);
  Shape shape;
  std::vector<double> expected = direct_conv2d(x, w, b, k, shape);
  check_values(conv2d(x, w, b, 1, 1), expected, 1e-11, 1e-11);
  // The adjoints in chunks too: <conv(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(x, g)>.
  Tensor g = uniform_values({2, 3, 48, 48}, -1, 1, 10);
  const double t = (conv2d(x, w, {}, 1, 1) * g).sum().item();
  CHECK(std::fabs((x * conv2d_input_grad(g, w, x.shape(), 1, 1)).sum().item() - t) < 1e-9 * std::fabs(t) + 1e-9);
  CHECK(std::fabs((w * conv2d_weight_grad(x, g, w.shape(), 1, 1)).sum().item() - t) < 1e-9 * std::fabs(t) + 1e-9);
  Tensor y0 = conv2d(x.select(0, 0), w, b, 1, 1);
  REQUIRE(y0.shape() == Shape({3, 48, 48}));
  check_values(y0, std::vector<double>(expected.begin(), expected.begin() + 3 * 48 * 48), 1e-11, 1e-11);
}

TEST_CASE("conv_transpose2d matches PyTorch", "[conv]") {
  // torch 1.13, float64, inputs from test::uniform_values (the same generator in Python):
  //   F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2, dilation=2)
  Tensor x = uniform_values({1, 2, 2, 3}, -1, 1, 11), w = uniform_values({2, 1, 2, 2}, -1, 1, 12);
  Tensor b = uniform_values({2}, -1, 1, 13);
  Tensor y = conv_transpose2d(x, w, b, 2, 1, 1, 2, 2);
  REQUIRE(y.shape() == Shape({1, 2, 4, 6}));
  check_values(
      y, {-0.1961767321, -0.1961767321, -0.1961767321,  -0.1961767321, -0.1961767321, -0.1961767321, -0.1961767321,
          0.4400100992,  -0.1961767321, -0.5101712079,  -0.1961767321, 0.3129887084,  -0.1961767321, -0.1961767321,
          -0.1961767321, -0.1961767321, -0.1961767321,  -0.1961767321, -0.1961767321, -0.9915696368, -0.1961767321,
          -0.220893996,  -0.1961767321, -0.05809366634, -0.6704155,    -0.6704155,    -0.6704155,    -0.6704155,
          -0.6704155,    -0.6704155,    -0.6704155,     -1.104524576,  -0.6704155,    -1.225843334,  -0.6704155,
          -0.8448840132, -0.6704155,    -0.6704155,     -0.6704155,    -0.6704155,    -0.6704155,    -0.6704155,
          -0.6704155,    -0.6582945981, -0.6704155,     -1.485965278,  -0.6704155,    -1.059689472},
      1e-9, 1e-8);
  //   F.conv_transpose2d(x, w, None, stride=(2,1), padding=(0,1), output_padding=(1,0)), 3 -> 2 channels
  Tensor x2 = uniform_values({1, 3, 2, 2}, -1, 1, 21), w2 = uniform_values({3, 2, 3, 2}, -1, 1, 22);
  Tensor y2 = conv_transpose2d(x2, w2, {}, Int2(2, 1), Int2(0, 1), Int2(1, 0));
  REQUIRE(y2.shape() == Shape({1, 2, 6, 1}));
  check_values(y2,
               {0.3893465965, -0.7682156525, 3.523895957, -0.9104959684, -0.7437619035, 0, 0.3618989697, -1.743067491,
                -1.171562844, 0.5432255037, 1.000580594, 0},
               1e-9, 1e-8);
}

TEST_CASE("conv_transpose2d matches a direct scatter loop", "[conv]") {
  struct Case {
    Shape x, w;
    Int2 s, p, op;
    int64_t groups;
    Int2 d;
  };
  std::vector<Case> cases = {
      {{2, 4, 4, 5}, {4, 3, 3, 3}, 2, 1, 1, 1, 1},
      {{2, 4, 4, 5}, {4, 2, 3, 2}, Int2(1, 2), Int2(2, 0), Int2(0, 1), 2, Int2(2, 1)},
      {{1, 3, 3, 3}, {3, 2, 2, 2}, 1, 0, 1, 1, 2},  // output_padding < dilation
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case& k = cases[ci];
    INFO("case " << ci);
    Tensor x = uniform_values(k.x, -1, 1, 30 + ci), w = uniform_values(k.w, -1, 1, 40 + ci);
    Shape shape;
    std::vector<double> expected = direct_conv_transpose2d(x, w, k.s, k.p, k.op, k.groups, k.d, shape);
    Tensor y = conv_transpose2d(x, w, {}, k.s, k.p, k.op, k.groups, k.d);
    REQUIRE(y.shape() == shape);
    check_values(y, expected, 1e-12, 1e-12);
  }
}

TEST_CASE("conv2d gradients", "[conv]") {
  auto conv = [](Int2 s, Int2 p, Int2 d, int64_t g) {
    return [=](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], s, p, d, g); };
  };
  SECTION("stride 2 and padding") {
    REQUIRE_GRADCHECK(conv(2, Int2(1, 2), 1, 1),
                      (std::vector<Tensor>{leaf({2, 3, 5, 6}), leaf({4, 3, 3, 3}, -1, 1, 2), leaf({4}, -1, 1, 3)}));
  }
  SECTION("dilation 2") {
    REQUIRE_GRADCHECK(conv(1, 1, 2, 1),
                      (std::vector<Tensor>{leaf({2, 3, 5, 6}), leaf({2, 3, 2, 3}, -1, 1, 2), leaf({2}, -1, 1, 3)}));
  }
  SECTION("groups 2") {
    REQUIRE_GRADCHECK(conv(1, 0, 1, 2),
                      (std::vector<Tensor>{leaf({2, 4, 5, 6}), leaf({4, 2, 3, 3}, -1, 1, 2), leaf({4}, -1, 1, 3)}));
  }
  SECTION("1x1 kernel") {
    REQUIRE_GRADCHECK(conv(1, 0, 1, 1),
                      (std::vector<Tensor>{leaf({2, 3, 4, 5}), leaf({2, 3, 1, 1}, -1, 1, 2), leaf({2}, -1, 1, 3)}));
  }
}

TEST_CASE("conv2d second derivatives", "[conv]") {
  auto f = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 2, 1); };
  REQUIRE_GRADGRADCHECK(f,
                        (std::vector<Tensor>{leaf({2, 2, 5, 4}), leaf({3, 2, 3, 3}, -1, 1, 2), leaf({3}, -1, 1, 3)}));
  auto g = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], {}, 1, Int2(0, 1), 2, 2); };
  REQUIRE_GRADGRADCHECK(g, (std::vector<Tensor>{leaf({1, 4, 5, 5}), leaf({2, 2, 2, 2}, -1, 1, 2)}));
  // d/dx sum(conv(x, w)^2) = 2 conv2d_input_grad(conv(x, w), w), differentiated once more by gradcheck.
  auto h = [](const std::vector<Tensor>& in) {
    AutoGradMode enable(true);  // gradcheck's finite differences run without grad mode
    Tensor x = in[0].requires_grad() ? in[0] : in[0].detach().requires_grad_();
    Tensor y = conv2d(x, in[1], {}, 1, 1);
    return autograd::grad({(y * y).sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  };
  REQUIRE_GRADCHECK(h, (std::vector<Tensor>{leaf({1, 2, 4, 4}), leaf({2, 2, 3, 3}, -1, 1, 2)}));
}

TEST_CASE("conv_transpose2d gradients", "[conv]") {
  auto f = [](const std::vector<Tensor>& in) { return conv_transpose2d(in[0], in[1], in[2], 2, 1, 1); };
  std::vector<Tensor> in{leaf({2, 3, 3, 4}), leaf({3, 2, 3, 3}, -1, 1, 2), leaf({2}, -1, 1, 3)};
  REQUIRE_GRADCHECK(f, in);
  auto g = [](const std::vector<Tensor>& in) { return conv_transpose2d(in[0], in[1], {}, 2, 0, Int2(1, 0), 2, 2); };
  std::vector<Tensor> in2{leaf({1, 4, 3, 3}), leaf({4, 1, 2, 2}, -1, 1, 2)};
  REQUIRE_GRADCHECK(g, in2);
  REQUIRE_GRADGRADCHECK(g, in2);
}

TEST_CASE("conv2d on non-contiguous inputs", "[conv]") {
  // x arrives as NHWC and is viewed as NCHW; w is stored (C,O,kH,kW) and transposed.
  auto f = [](const std::vector<Tensor>& in) {
    Tensor x = in[0].permute({0, 3, 1, 2});
    Tensor w = in[1].transpose(0, 1);
    return conv2d(x, w, {}, 1, 1);
  };
  std::vector<Tensor> in{leaf({2, 5, 6, 3}), leaf({3, 4, 3, 3}, -1, 1, 2)};
  REQUIRE_GRADCHECK(f, in);
  ConvCase k{{2, 3, 5, 6}, {4, 3, 3, 3}, 1, 1, 1, 1, false};
  Tensor x = in[0].detach().permute({0, 3, 1, 2}), w = in[1].detach().transpose(0, 1);
  Shape shape;
  check_values(conv2d(x, w, {}, 1, 1), direct_conv2d(x, w, Tensor(), k, shape), 1e-12, 1e-12);
}

TEST_CASE("conv2d_input_grad and conv2d_weight_grad agree with autograd", "[conv]") {
  Tensor x = leaf({2, 4, 6, 5}), w = leaf({6, 2, 3, 2}, -1, 1, 2);
  Tensor y = conv2d(x, w, {}, 2, 1, 1, 2);
  Tensor g = uniform_values(y.shape(), -1, 1, 9);
  (y * g).sum().backward();
  check_values(conv2d_input_grad(g, w.detach(), x.shape(), 2, 1, 1, 2), x.grad().to_vector<double>(), 1e-12);
  check_values(conv2d_weight_grad(x.detach(), g, w.shape(), 2, 1, 1, 2), w.grad().to_vector<double>(), 1e-12);
}

TEST_CASE("conv2d error messages name the shapes", "[conv]") {
  Tensor x = zeros({2, 5, 6, 6}), w = zeros({4, 3, 3, 3});
  REQUIRE_THROWS_WITH(conv2d(x, w),
                      Catch::Contains("(4,3,3,3)") && Catch::Contains("(2,5,6,6)") && Catch::Contains("3 channels"));
  REQUIRE_THROWS_WITH(conv2d(zeros({1, 3, 3, 3}), zeros({2, 3, 5, 5})),
                      Catch::Contains("larger than the padded input"));
  REQUIRE_NOTHROW(conv2d(zeros({1, 3, 3, 3}), zeros({2, 3, 5, 5}), {}, 1, 1));
  REQUIRE_THROWS_WITH(conv2d(zeros({3, 3, 3}), zeros({2, 3, 5, 5})), Catch::Contains("larger"));
  REQUIRE_THROWS_WITH(conv2d(x, zeros({4, 5, 3, 3}), zeros({3})), Catch::Contains("bias of shape (4)"));
  REQUIRE_THROWS_WITH(conv2d(zeros({6, 6}), w), Catch::Contains("(N,C,H,W)"));
  REQUIRE_THROWS_WITH(conv_transpose2d(zeros({1, 3, 4, 4}), zeros({3, 2, 3, 3}), {}, 2, 0, 2),
                      Catch::Contains("output_padding"));
}
