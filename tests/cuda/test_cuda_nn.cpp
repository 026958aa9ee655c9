// Convolutions (cuDNN and the im2col + cuBLAS path), pooling, upsampling and
// the nn modules built on them, on CUDA tensors against the same calls on the
// CPU: values, gradients and second derivatives.
//
// Tolerances.
//   float64: 1e-10 absolute and relative for convolutions (their second
//   derivatives are sums of a few hundred products of size up to ~500, so a
//   different summation order moves them by ~1e-11), 1e-13 for pooling and
//   upsampling (sums of at most a few dozen numbers).
//   float32 convolutions: every output is a sum of K products of numbers of
//   size <= ~2; the CPU (im2col + OpenBLAS) and the GPU (cuDNN's kernels, or
//   cuBLAS's tiles) round the partial sums in different orders, with fused
//   multiply-adds on the GPU, so they differ by up to ~K u |terms| (u = 2^-24),
//   typically sqrt(K) u. K is the longest sum of the forward and backward
//   passes: C/groups*kH*kW for the output, O/groups*kH*kW for the input
//   gradient and N*Ho*Wo for the weight gradient. conv_tol(K) allows
//   1e-6 + 8 K u absolute (twice the matmul tests' 4 K u, because cuDNN may pick
//   Winograd or FFT algorithms, which transform the data and add rounding of
//   their own) plus 2e-5 relative. cuDNN runs float32 with CUDNN_FMA_MATH: no
//   TF32, whose 10-bit mantissa would put results ~1e-3 away.
//   float32 pooling: the GPU sums in the CPU's order, so the results agree to
//   an ulp or two: 1e-6 absolute and relative. Max pooling values and indices
//   must agree exactly. float32 upsampling: 2e-6 absolute, 1e-5 relative; the
//   backward pass sums up to ~4 scale^2 weighted terms per input pixel in
//   another order than the CPU (and with fused multiply-adds).
//   float32 modules (conv + batch/group/layer norm + linear): the norms divide
//   by a batch standard deviation (~0.3-1 here) and sum over N*H*W for their
//   parameter gradients, so the conv tolerance is applied with K = N*H*W and a
//   1e-4 relative allowance.
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "parity.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::check_cuda_matches_cpu;
using dgm::test::Tol;
using dgm::test::uniform_values;
using dgm::test::wsum;
using In = std::vector<Tensor>;

namespace {

constexpr double kU32 = 5.9604644775390625e-08;  // 2^-24

Tol conv_tol(DType t, int64_t K) {
  if (t == kFloat64) return {1e-10, 1e-10};
  return {1e-6 + 8.0 * static_cast<double>(K) * kU32, 2e-5};
}
const Tol kPool32{1e-6, 1e-6};
const Tol kPool64{1e-13, 1e-13};
Tol pool_tol(DType t) { return t == kFloat64 ? kPool64 : kPool32; }

// Sets DGM_CUDA_CONV ("cudnn" or "im2col") while alive, then restores it.
class ConvPath {
 public:
  explicit ConvPath(const char* value) {
    const char* old = std::getenv("DGM_CUDA_CONV");
    had_ = old != nullptr;
    if (had_) saved_ = old;
    setenv("DGM_CUDA_CONV", value, 1);
  }
  ~ConvPath() {
    if (had_)
      setenv("DGM_CUDA_CONV", saved_.c_str(), 1);
    else
      unsetenv("DGM_CUDA_CONV");
  }
  ConvPath(const ConvPath&) = delete;
  ConvPath& operator=(const ConvPath&) = delete;

 private:
  bool had_ = false;
  std::string saved_;
};

const char* const kPaths[] = {"cudnn", "im2col"};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dgm::Error& e) {
    return e.what();
  }
  return "no error";
}

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

// ---- conv2d cases ----

struct ConvCase {
  const char* name;
  Shape x, w;  // x as given to conv2d (N,C,H,W); w (O, C/groups, kH, kW)
  Int2 stride = 1, padding = 0, dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  bool transposed_input = false;  // x is stored as (N,C,W,H) and passed transposed (non-contiguous)

  // The longest sum of the forward and backward passes (see the top of the file).
  int64_t K() const {
    const int64_t Ho = out_size(x[2], w[2], stride.h, padding.h, dilation.h);
    const int64_t Wo = out_size(x[3], w[3], stride.w, padding.w, dilation.w);
    return std::max({w[1] * w[2] * w[3], w[0] / groups * w[2] * w[3], x[0] * Ho * Wo});
  }
};

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"3x3, padding 1", {2, 4, 9, 11}, {6, 4, 3, 3}, 1, 1},
      {"groups 2, stride 2, padding (1,2)", {2, 4, 9, 11}, {6, 2, 3, 3}, 2, {1, 2}, 1, 2},
      {"dilation 2, padding 2, no bias", {2, 4, 10, 9}, {5, 4, 3, 3}, 1, 2, 2, 1, false},
      {"1x1, no bias", {3, 4, 7, 5}, {7, 4, 1, 1}, 1, 0, 1, 1, false},
      {"1x1, stride 2", {2, 4, 9, 9}, {5, 4, 1, 1}, 2},
      {"7x7, stride 2, padding 3", {2, 3, 16, 13}, {4, 3, 7, 7}, 2, 3},
      {"kernel (2,3), stride (2,1), padding (0,1), dilation (1,2)",
       {2, 4, 9, 11},
       {3, 4, 2, 3},
       {2, 1},
       {0, 1},
       {1, 2}},
      {"depthwise (groups = channels)", {2, 4, 8, 8}, {8, 1, 3, 3}, 1, 1, 1, 4},
      {"stride 3 > kernel 2", {2, 3, 11, 11}, {4, 3, 2, 2}, 3},
      {"non-contiguous (transposed) input", {2, 4, 9, 11}, {6, 4, 3, 3}, 1, 1, 1, 1, true, true},
      {"one pixel, one channel", {1, 1, 1, 1}, {1, 1, 1, 1}},
  };
  return cases;
}

In conv_inputs(const ConvCase& c, DType t) {
  Shape xs = c.x;
  if (c.transposed_input) std::swap(xs[2], xs[3]);
  In in = {uniform_values(xs, -1, 1, 11).to(t), uniform_values(c.w, -1, 1, 12).to(t)};
  if (c.bias) in.push_back(uniform_values({c.w[0]}, -1, 1, 13).to(t));
  return in;
}

Tensor run_conv(const ConvCase& c, const In& v) {
  Tensor x = c.transposed_input ? v[0].transpose(2, 3) : v[0];
  return conv2d(x, v[1], c.bias ? v[2] : Tensor(), c.stride, c.padding, c.dilation, c.groups);
}

}  // namespace

TEST_CASE("conv2d matches the CPU: values, gradients, second derivatives (cuDNN and im2col)", "[cuda][conv]") {
  for (const char* path : kPaths) {
    ConvPath use(path);
    for (DType t : {kFloat32, kFloat64})
      for (const ConvCase& c : conv_cases()) {
        const std::string name = std::string("conv2d ") + c.name + " (" + path + ", " + dtype_name(t) + ")";
        check_cuda_matches_cpu(
            name, [&](const In& v) { return run_conv(c, v); }, conv_inputs(c, t), conv_tol(t, c.K()),
            /*second_order=*/true);
      }
  }
}

TEST_CASE("cuDNN and im2col agree on conv2d and both adjoints", "[cuda][conv]") {
  for (DType t : {kFloat32, kFloat64})
    for (const ConvCase& c : conv_cases()) {
      In in = conv_inputs(c, t);
      Tensor x = (c.transposed_input ? in[0].transpose(2, 3) : in[0]).cuda();
      Tensor w = in[1].cuda();
      Tensor b = c.bias ? in[2].cuda() : Tensor();
      const Shape y_shape = {c.x[0], c.w[0], out_size(c.x[2], c.w[2], c.stride.h, c.padding.h, c.dilation.h),
                             out_size(c.x[3], c.w[3], c.stride.w, c.padding.w, c.dilation.w)};
      Tensor gy = uniform_values(y_shape, -1, 1, 14).to(t).cuda();
      auto run = [&](const char* path) {
        ConvPath use(path);
        return std::vector<Tensor>{conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups),
                                   conv2d_input_grad(gy, w, x.shape(), c.stride, c.padding, c.dilation, c.groups),
                                   conv2d_weight_grad(x, gy, w.shape(), c.stride, c.padding, c.dilation, c.groups)};
      };
      std::vector<Tensor> a = run("cudnn"), m = run("im2col");
      const std::string name = std::string(c.name) + " (" + dtype_name(t) + ")";
      check_close(name + ": conv2d, cuDNN vs im2col", a[0], m[0], conv_tol(t, c.K()));
      check_close(name + ": conv2d_input_grad, cuDNN vs im2col", a[1], m[1], conv_tol(t, c.K()));
      check_close(name + ": conv2d_weight_grad, cuDNN vs im2col", a[2], m[2], conv_tol(t, c.K()));
    }
}

TEST_CASE("conv2d on a batch larger than one im2col chunk", "[cuda][conv]") {
  // One sample's columns hold 64*3*3 * 128*128 ~ 9.4M numbers and the im2col
  // path builds at most 2^26 ~ 67M at a time, so 9 samples run as 7 + 2: the
  // weight gradient accumulates over both chunks.
  const Shape xs = {9, 64, 128, 128}, ws = {4, 64, 3, 3};
  In in = {uniform_values(xs, -1, 1, 21), uniform_values(ws, -1, 1, 22)};
  for (const char* path : kPaths) {
    ConvPath use(path);
    check_cuda_matches_cpu(std::string("conv2d, 9 x 64 x 128 x 128, float64 (") + path + ")",
                           [](const In& v) { return conv2d(v[0], v[1], Tensor(), 1, 1); }, in, {1e-9, 1e-10});
  }
}

TEST_CASE("conv_transpose2d matches the CPU (output_padding, groups, dilation)", "[cuda][conv]") {
  struct Case {
    const char* name;
    Shape x, w;  // w (C_in, O/groups, kH, kW)
    Int2 stride = 1, padding = 0, output_padding = 0;
    int64_t groups = 1;
    Int2 dilation = 1;
    bool bias = true;
    bool transposed_input = false;
  };
  const std::vector<Case> cases = {
      {"stride 2, padding 1, output_padding 1", {2, 4, 5, 6}, {4, 3, 3, 3}, 2, 1, 1},
      {"kernel 4, stride 2, padding 1 (the DCGAN upsampler)", {2, 4, 4, 4}, {4, 3, 4, 4}, 2, 1},
      {"groups 2, output_padding (1,0)", {2, 4, 5, 5}, {4, 2, 3, 3}, 2, 0, {1, 0}, 2},
      // output_padding 1 >= stride 1 (allowed as < dilation): the geometry's
      // output is one row and column larger than a conv2d's output formula
      // gives, which cuDNN cannot describe, so this one runs on the im2col path.
      {"dilation 2, stride 1, output_padding 1 (no cuDNN)", {2, 3, 5, 5}, {3, 2, 3, 3}, 1, 1, 1, 1, 2, false},
      {"non-contiguous input, no bias", {2, 4, 5, 6}, {4, 3, 3, 3}, 2, 1, 1, 1, 1, false, true},
  };
  for (const char* path : kPaths) {
    ConvPath use(path);
    for (DType t : {kFloat32, kFloat64})
      for (const Case& c : cases) {
        Shape xs = c.x;
        if (c.transposed_input) std::swap(xs[2], xs[3]);
        In in = {uniform_values(xs, -1, 1, 31).to(t), uniform_values(c.w, -1, 1, 32).to(t)};
        if (c.bias) in.push_back(uniform_values({c.w[1] * c.groups}, -1, 1, 33).to(t));
        const int64_t Ho =
            (c.x[2] - 1) * c.stride.h - 2 * c.padding.h + c.dilation.h * (c.w[2] - 1) + c.output_padding.h + 1;
        const int64_t Wo =
            (c.x[3] - 1) * c.stride.w - 2 * c.padding.w + c.dilation.w * (c.w[3] - 1) + c.output_padding.w + 1;
        const int64_t K = std::max({c.x[1] / c.groups * c.w[2] * c.w[3], c.w[1] * c.w[2] * c.w[3], c.x[0] * Ho * Wo,
                                    c.x[0] * c.x[2] * c.x[3]});
        const std::string name = std::string("conv_transpose2d ") + c.name + " (" + path + ", " + dtype_name(t) + ")";
        check_cuda_matches_cpu(
            name,
            [&](const In& v) {
              Tensor x = c.transposed_input ? v[0].transpose(2, 3) : v[0];
              return conv_transpose2d(x, v[1], c.bias ? v[2] : Tensor(), c.stride, c.padding, c.output_padding,
                                      c.groups, c.dilation);
            },
            in, conv_tol(t, K), /*second_order=*/true);
      }
  }
}

TEST_CASE("conv2d on empty batches and channels", "[cuda][conv]") {
  for (const char* path : kPaths) {
    ConvPath use(path);
    // No samples: an empty output, and a zero weight gradient.
    Tensor x = zeros({0, 3, 5, 5}).cuda(), w = uniform_values({4, 3, 3, 3}).to(kFloat32).cuda();
    Tensor y = conv2d(x, w, Tensor(), 1, 1);
    CHECK(y.is_cuda());
    CHECK(y.shape() == Shape({0, 4, 5, 5}));
    Tensor gw = conv2d_weight_grad(x, zeros({0, 4, 5, 5}).cuda(), w.shape(), 1, 1);
    check_close("weight gradient of an empty batch", gw, zeros({4, 3, 3, 3}), {0, 0});
    // No output channels.
    Tensor y0 = conv2d(ones({2, 3, 5, 5}).cuda(), zeros({0, 3, 3, 3}).cuda());
    CHECK(y0.shape() == Shape({2, 0, 3, 3}));
  }
}

TEST_CASE("conv2d errors on CUDA name the op and the devices", "[cuda][conv][errors]") {
  Tensor x = uniform_values({1, 2, 5, 5}).to(kFloat32).cuda();
  Tensor w = uniform_values({3, 2, 3, 3}).to(kFloat32);  // on the CPU
  std::string m = message_of([&] { (void)conv2d(x, w); });
  INFO(m);
  CHECK(m.find("conv2d") != std::string::npos);
  CHECK(m.find("cpu") != std::string::npos);
  CHECK(m.find("cuda:0") != std::string::npos);
  {
    ConvPath use("winograd");
    std::string e = message_of([&] { (void)conv2d(x, w.cuda()); });
    INFO(e);
    CHECK(e.find("DGM_CUDA_CONV") != std::string::npos);
  }
}

// ---- pooling ----

namespace {

struct PoolCase {
  const char* name;
  Shape x;
  Int2 kernel;
  std::optional<Int2> stride;
  Int2 padding = 0;
  bool ceil_mode = false;
};

const std::vector<PoolCase>& pool_cases() {
  static const std::vector<PoolCase> cases = {
      {"kernel 2 (stride = kernel)", {2, 3, 8, 10}, 2, std::nullopt},
      {"kernel 3, stride 2, padding 1", {2, 3, 9, 11}, 3, 2, 1},
      {"kernel 3, stride 1, padding 1 (overlapping windows)", {2, 3, 7, 6}, 3, 1, 1},
      {"kernel (3,2), stride (2,3), padding (1,0), ceil_mode", {2, 3, 9, 11}, {3, 2}, Int2{2, 3}, {1, 0}, true},
      {"kernel 3, stride 2, ceil_mode (a last window past the edge)", {2, 2, 10, 10}, 3, 2, 0, true},
      {"kernel 4, stride 3, padding 2, ceil_mode", {1, 2, 11, 7}, 4, 3, 2, true},
      {"one pixel", {1, 1, 1, 1}, 1, std::nullopt},
  };
  return cases;
}

}  // namespace

TEST_CASE("max_pool2d matches the CPU: values, indices (ties, NaN), gradients", "[cuda][pool]") {
  for (DType t : {kFloat32, kFloat64})
    for (const PoolCase& c : pool_cases()) {
      const std::string name = std::string("max_pool2d ") + c.name + " (" + dtype_name(t) + ")";
      // Values from {0, 1, 2}: many ties, so the first-maximum rule matters.
      Tensor x = (uniform_values(c.x, 0, 3, 41)).floor().to(t);
      auto [y, idx] = max_pool2d_with_indices(x, c.kernel, c.stride, c.padding, c.ceil_mode);
      auto [yg, idxg] = max_pool2d_with_indices(x.cuda(), c.kernel, c.stride, c.padding, c.ceil_mode);
      REQUIRE(idxg.is_cuda());
      REQUIRE(idxg.dtype() == kInt64);
      check_close(name + ": values", yg, y, {0, 0});
      check_close(name + ": indices", idxg, idx, {0, 0});
      // Distinct values for the gradients (and ties again: both pick the same element).
      for (const Tensor& in : {uniform_values(c.x, -1, 1, 42).to(t), x})
        check_cuda_matches_cpu(
            name, [&](const In& v) { return max_pool2d(v[0], c.kernel, c.stride, c.padding, c.ceil_mode); }, {in},
            pool_tol(t), /*second_order=*/true);
    }
  // Non-contiguous input.
  Tensor xt = uniform_values({2, 3, 11, 9}, -1, 1, 43).to(kFloat32);
  check_cuda_matches_cpu(
      "max_pool2d of a transposed input", [](const In& v) { return max_pool2d(v[0].transpose(2, 3), 3, 2, 1); }, {xt},
      kPool32, true);
  // NaN wins its window (and is where the gradient goes); -inf is a value like any other.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Tensor xn =
      tensor(std::vector<double>{1, nan, 3, 4, -inf, -inf, -inf, -inf, 5, 2, nan, nan, 0, 7, 7, 1}, {1, 1, 4, 4})
          .to(kFloat32);
  auto [yn, in_] = max_pool2d_with_indices(xn, 2);
  auto [ynG, inG] = max_pool2d_with_indices(xn.cuda(), 2);
  check_close("max_pool2d with NaN: values", ynG, yn, {0, 0});
  check_close("max_pool2d with NaN: indices", inG, in_, {0, 0});
}

TEST_CASE("avg_pool2d matches the CPU (count_include_pad both ways), with gradients", "[cuda][pool]") {
  for (DType t : {kFloat32, kFloat64})
    for (const PoolCase& c : pool_cases())
      for (bool include_pad : {true, false}) {
        const std::string name = std::string("avg_pool2d ") + c.name +
                                 (include_pad ? "" : ", count_include_pad=false") + " (" + dtype_name(t) + ")";
        check_cuda_matches_cpu(
            name,
            [&](const In& v) { return avg_pool2d(v[0], c.kernel, c.stride, c.padding, c.ceil_mode, include_pad); },
            {uniform_values(c.x, -1, 1, 44).to(t)}, pool_tol(t), /*second_order=*/true);
      }
  Tensor xt = uniform_values({2, 3, 11, 9}, -1, 1, 45).to(kFloat32);
  check_cuda_matches_cpu(
      "avg_pool2d of a transposed input", [](const In& v) { return avg_pool2d(v[0].transpose(2, 3), 3, 2, 1); }, {xt},
      kPool32, true);
}

TEST_CASE("pooling an empty batch gives an empty result", "[cuda][pool]") {
  Tensor x = zeros({0, 3, 4, 4}).cuda();
  auto [y, idx] = max_pool2d_with_indices(x, 2);
  CHECK(y.shape() == Shape({0, 3, 2, 2}));
  CHECK(idx.shape() == Shape({0, 3, 2, 2}));
  CHECK(avg_pool2d(x, 2).shape() == Shape({0, 3, 2, 2}));
}

// ---- upsampling ----

TEST_CASE("upsampling (nearest, bilinear, align_corners both ways) matches the CPU, with gradients",
          "[cuda][upsample]") {
  struct Case {
    const char* name;
    Shape x;
    std::function<Tensor(const Tensor&)> f;
  };
  const std::vector<Case> cases = {
      {"nearest, size x2",
       {2, 3, 5, 7},
       [](const Tensor& x) {
         return upsample_nearest2d(x, Int2{10, 14});
       }},
      {"nearest, scale 3", {2, 3, 4, 5}, [](const Tensor& x) { return upsample_nearest2d(x, std::nullopt, 3.0); }},
      {"nearest, size (7,10) (not a multiple)",
       {2, 3, 5, 7},
       [](const Tensor& x) {
         return upsample_nearest2d(x, Int2{7, 10});
       }},
      {"nearest, downsampling to (3,4)",
       {2, 3, 7, 9},
       [](const Tensor& x) {
         return upsample_nearest2d(x, Int2{3, 4});
       }},
      {"bilinear, size (10,15)",
       {2, 3, 5, 7},
       [](const Tensor& x) {
         return upsample_bilinear2d(x, Int2{10, 15}, false);
       }},
      {"bilinear, align_corners, size (9,13)",
       {2, 3, 5, 7},
       [](const Tensor& x) {
         return upsample_bilinear2d(x, Int2{9, 13}, true);
       }},
      {"bilinear, scale 1.5",
       {2, 3, 4, 6},
       [](const Tensor& x) { return upsample_bilinear2d(x, std::nullopt, false, 1.5); }},
      {"bilinear, scale (2, 3), align_corners",
       {1, 2, 4, 3},
       [](const Tensor& x) { return upsample_bilinear2d(x, std::nullopt, true, Scale2(2.0, 3.0)); }},
      {"bilinear, downsampling to (3,4)",
       {2, 3, 7, 9},
       [](const Tensor& x) {
         return upsample_bilinear2d(x, Int2{3, 4}, false);
       }},
      {"bilinear, align_corners, downsampling to (3,4)",
       {2, 3, 7, 9},
       [](const Tensor& x) {
         return upsample_bilinear2d(x, Int2{3, 4}, true);
       }},
      {"bilinear, a 1x1 image to (4,4)",
       {2, 3, 1, 1},
       [](const Tensor& x) {
         return upsample_bilinear2d(x, Int2{4, 4}, false);
       }},
      {"interpolate bilinear of a transposed input",
       {2, 3, 7, 5},
       [](const Tensor& x) {
         return interpolate(x.transpose(2, 3), Int2{8, 12}, std::nullopt, "bilinear", false);
       }},
  };
  for (DType t : {kFloat32, kFloat64})
    for (const Case& c : cases) {
      // Sums of up to ~4 (scale)^2 weighted terms in the backward pass.
      const Tol tol = t == kFloat64 ? kPool64 : Tol{2e-6, 1e-5};
      check_cuda_matches_cpu(
          std::string("upsample ") + c.name + " (" + dtype_name(t) + ")", [&](const In& v) { return c.f(v[0]); },
          {uniform_values(c.x, -1, 1, 51).to(t)}, tol,
          /*second_order=*/true);
    }
  CHECK(upsample_nearest2d(zeros({0, 2, 3, 3}).cuda(), Int2{6, 6}).shape() == Shape({0, 2, 6, 6}));
}

// ---- nn modules moved to the GPU with Module::to(kCUDA) ----

namespace {

// Two modules made the same way; the second gets the first's weights, moves
// to the GPU, and must compute the same outputs, input gradient, parameter
// gradients and buffers (BatchNorm's running statistics) as the first.
void check_module(const std::string& name, const std::shared_ptr<nn::Module>& cpu,
                  const std::shared_ptr<nn::Module>& gpu, const Tensor& x, Tol tol) {
  INFO(name);
  gpu->load_state_dict(cpu->state_dict());
  gpu->to(kCUDA);
  for (const auto& [n, p] : gpu->named_parameters()) {
    INFO(n);
    REQUIRE(p.is_cuda());
    REQUIRE(p.requires_grad());
  }
  for (const auto& [n, b] : gpu->named_buffers()) {
    INFO(n);
    REQUIRE(b.is_cuda());
  }
  for (bool training : {true, false}) {
    cpu->train(training);
    gpu->train(training);
    cpu->zero_grad();
    gpu->zero_grad();
    const std::string mode = training ? " (train)" : " (eval)";
    Tensor xc = x.detach().clone();
    xc.requires_grad_();
    Tensor xg = x.detach().cuda();
    xg.requires_grad_();
    Tensor yc = cpu->forward(xc), yg = gpu->forward(xg);
    REQUIRE(yg.is_cuda());
    check_close(name + mode + ": output", yg, yc, tol);
    wsum(yc).backward();
    wsum(yg.cpu()).backward();  // the gradient flows back through .cpu() to the GPU
    REQUIRE(xg.grad().defined());
    REQUIRE(xg.grad().is_cuda());
    check_close(name + mode + ": input gradient", xg.grad(), xc.grad(), tol);
    auto pc = cpu->named_parameters(), pg = gpu->named_parameters();
    REQUIRE(pc.size() == pg.size());
    for (size_t i = 0; i < pc.size(); ++i) {
      REQUIRE(pc[i].first == pg[i].first);
      REQUIRE(pg[i].second.grad().defined() == pc[i].second.grad().defined());
      if (pg[i].second.grad().defined()) REQUIRE(pg[i].second.grad().is_cuda());
      check_close(name + mode + ": gradient of " + pc[i].first, pg[i].second.grad(), pc[i].second.grad(), tol);
    }
    auto bc = cpu->named_buffers(), bg = gpu->named_buffers();
    REQUIRE(bc.size() == bg.size());
    for (size_t i = 0; i < bc.size(); ++i)
      check_close(name + mode + ": buffer " + bc[i].first, bg[i].second, bc[i].second, tol);
  }
}

template <typename M, typename... Args>
void check_module(const std::string& name, const Tensor& x, Tol tol, Args... args) {
  check_module(name, std::make_shared<M>(args...), std::make_shared<M>(args...), x, tol);
}

Tensor image(const Shape& s, uint64_t seed) { return uniform_values(s, -1, 1, seed).to(kFloat32); }

}  // namespace

TEST_CASE("nn modules on CUDA match the same modules on the CPU", "[cuda][nn]") {
  // Conv gradients sum over N*Ho*Wo = 2*8*8 = 128 pixels; the norms over N*H*W too.
  const Tol tol = conv_tol(kFloat32, 128);
  const Tol norm_tol{tol.atol, 1e-4};
  const Tensor x = image({2, 4, 8, 8}, 61);
  check_module<nn::Conv2d>("Conv2d(4, 6, 3, padding 1)", x, tol, 4, 6, Int2(3), Int2(1), Int2(1));
  check_module<nn::Conv2d>("Conv2d(4, 6, 3, stride 2, groups 2, no bias)", x, tol, 4, 6, Int2(3), Int2(2), Int2(1),
                           Int2(1), 2, false);
  check_module<nn::ConvTranspose2d>("ConvTranspose2d(4, 3, 4, stride 2, padding 1)", x, conv_tol(kFloat32, 2 * 16 * 16),
                                    4, 3, Int2(4), Int2(2), Int2(1));
  check_module<nn::ConvTranspose2d>("ConvTranspose2d(4, 6, 3, stride 2, output_padding 1, groups 2)", x,
                                    conv_tol(kFloat32, 2 * 16 * 16), 4, 6, Int2(3), Int2(2), Int2(1), Int2(1), 2);
  check_module<nn::MaskedConv2d>("MaskedConv2d A(4, 8, 5)", x, tol, 'A', 4, 8, Int2(5));
  check_module<nn::MaskedConv2d>("MaskedConv2d B(4, 8, 3)", x, tol, 'B', 4, 8, Int2(3));
  check_module<nn::BatchNorm2d>("BatchNorm2d(4)", x, norm_tol, 4);
  check_module<nn::GroupNorm>("GroupNorm(2, 4)", x, norm_tol, 2, 4);
  check_module<nn::LayerNorm>("LayerNorm((4, 8, 8))", x, norm_tol, Shape{4, 8, 8});
  check_module<nn::Linear>("Linear(8, 5) on (2, 4, 8, 8)", x, conv_tol(kFloat32, 64), 8, 5);

  // A small PixelCNN / VAE-like stack: every layer above in one chain.
  auto make = [] {
    return std::make_shared<nn::Sequential>(
        std::make_shared<nn::MaskedConv2d>('A', 4, 8, Int2(5)), std::make_shared<nn::BatchNorm2d>(8),
        std::make_shared<nn::ReLU>(), std::make_shared<nn::MaskedConv2d>('B', 8, 8, Int2(3)),
        std::make_shared<nn::GroupNorm>(4, 8), std::make_shared<nn::ReLU>(),
        std::make_shared<nn::Conv2d>(8, 6, Int2(3), Int2(2), Int2(1)),
        std::make_shared<nn::ConvTranspose2d>(6, 4, Int2(4), Int2(2), Int2(1)),
        std::make_shared<nn::LayerNorm>(Shape{8}), std::make_shared<nn::Linear>(8, 3));
  };
  check_module(
      "Sequential(MaskedConv2d, BatchNorm2d, ReLU, MaskedConv2d, GroupNorm, ReLU, Conv2d, ConvTranspose2d, "
      "LayerNorm, Linear)",
      make(), make(), x, {10 * tol.atol, 2e-4});
}
