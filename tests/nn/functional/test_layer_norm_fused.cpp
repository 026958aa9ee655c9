// The CPU's fused layer norm (tensor/kernels/layer_norm.h through
// nn/functional/layer_norm_fused.h): values against a plain float64 loop,
// rows strided in memory (the channels of NCHW, more than one block of 64
// rows), first derivatives by finite differences, second derivatives through
// create_graph, and sums over rows that do not depend on the thread count.
#include <cmath>

#include "tests/helpers.h"

using namespace dgm;
using test::leaf;
using test::uniform_values;
using V = std::vector<Tensor>;

namespace {

// Layer norm of the logical rows of length n (the last dims) in float64, by hand.
std::vector<double> reference(const Tensor& x, int64_t n, const std::vector<double>& w, const std::vector<double>& b,
                              double eps = 1e-5) {
  std::vector<double> v = x.to_vector<double>(), y(v.size());
  for (size_t r = 0; r < v.size() / n; ++r) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < n; ++k) mean += v[r * n + k] / n;
    for (int64_t k = 0; k < n; ++k) var += (v[r * n + k] - mean) * (v[r * n + k] - mean) / n;
    for (int64_t k = 0; k < n; ++k)
      y[r * n + k] = (v[r * n + k] - mean) / std::sqrt(var + eps) * (w.empty() ? 1.0 : w[k]) + (b.empty() ? 0.0 : b[k]);
  }
  return y;
}

// An NCHW tensor seen as NHWC, as ChannelLayerNorm does: its channels are rows strided by H*W.
Tensor channels_last_view(const Tensor& nchw) { return nchw.permute({0, 2, 3, 1}); }

}  // namespace

TEST_CASE("fused layer_norm matches a float64 loop: last dim, several dims, strided channels", "[nn][layer_norm]") {
  Tensor w = uniform_values({5}, 0.5, 1.5, 3), b = uniform_values({5}, -1, 1, 4);
  const std::vector<double> wv = w.to_vector<double>(), bv = b.to_vector<double>();
  for (DType dt : {kFloat64, kFloat32}) {
    INFO("dtype " << dtype_name(dt));
    const double tol = dt == kFloat64 ? 1e-12 : 1e-5;
    Tensor x = uniform_values({3, 4, 5}, -2, 3, 1).to(dt);
    test::check_values(layer_norm(x, {5}, w.to(dt), b.to(dt)), reference(x, 5, wv, bv), tol, tol);
    test::check_values(layer_norm(x, {5}), reference(x, 5, {}, {}), tol, tol);
    // two normalized dims over a transposed (non-contiguous) input
    Tensor xt = uniform_values({4, 3, 5}, -1, 1, 2).to(dt).transpose(0, 1);
    test::check_values(layer_norm(xt, {4, 5}), reference(xt, 20, {}, {}), tol, tol);
    // channels of NCHW: 5 channels, 7 x 10 = 70 positions (two blocks of rows), no copy of the input
    Tensor nchw = uniform_values({2, 5, 7, 10}, -1, 2, 5).to(dt);
    Tensor y = layer_norm(channels_last_view(nchw), {5}, w.to(dt), b.to(dt));
    REQUIRE(y.shape() == Shape{2, 7, 10, 5});
    CHECK(y.permute({0, 3, 1, 2}).is_contiguous());  // the result is laid out as NCHW too
    test::check_values(y, reference(channels_last_view(nchw), 5, wv, bv), tol, tol);
  }
  // float32 rows far from zero: the statistics are taken in double, around the mean
  Tensor big = (uniform_values({4, 64}, -1e-2, 1e-2, 6) + 1000.0).to(kFloat32);
  test::check_values(layer_norm(big, {64}), reference(big.to(kFloat64), 64, {}, {}), 2e-2, 0);
}

TEST_CASE("fused layer_norm gradients: finite differences, second order, strided channels", "[nn][layer_norm]") {
  Tensor w = leaf({3}, 0.5, 1.5, 11), b = leaf({3}, -1, 1, 12);
  // rows strided by H*W = 66 (two blocks), weight and bias
  REQUIRE_GRADCHECK([](const V& in) { return layer_norm(channels_last_view(in[0]), {3}, in[1], in[2]); },
                    (V{leaf({2, 3, 6, 11}, -1, 1, 13), w, b}));
  REQUIRE_GRADCHECK([](const V& in) { return layer_norm(in[0], {3}); }, V{leaf({4, 3}, -1, 1, 14)});
  REQUIRE_GRADCHECK([](const V& in) { return layer_norm(in[0], {3}, in[1], in[2]); },
                    (V{leaf({2, 2, 3}, -1, 1, 15), w, b}));
  // create_graph takes the gradient formula in differentiable ops: the same
  // first derivatives as the fused backward (checked above) ...
  for (bool affine : {true, false}) {
    INFO("affine " << affine);
    Tensor x = leaf({2, 3, 4, 5}, -1, 1, 18);
    const Tensor wa = affine ? w : Tensor(), ba = affine ? b : Tensor();
    std::vector<Tensor> inputs = affine ? V{x, w, b} : V{x};
    Tensor y1 = test::wsum(layer_norm(channels_last_view(x), {3}, wa, ba));
    Tensor y2 = test::wsum(layer_norm(channels_last_view(x), {3}, wa, ba));
    std::vector<Tensor> fused = autograd::grad({y1}, inputs);
    std::vector<Tensor> composed = autograd::grad({y2}, inputs, {}, false, /*create_graph=*/true);
    for (size_t i = 0; i < inputs.size(); ++i) test::check_values(composed[i], fused[i].to_vector<double>(), 1e-12);
  }
  // ... and their derivatives
  REQUIRE_GRADGRADCHECK([](const V& in) { return layer_norm(channels_last_view(in[0]), {3}, in[1], in[2]); },
                        (V{leaf({1, 3, 2, 2}, -1, 1, 16), w, b}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return layer_norm(in[0], {3}, in[1]); }, (V{leaf({2, 3}, -1, 1, 17), w}));
}

TEST_CASE("fused layer_norm: weight and bias gradients do not depend on the number of threads", "[nn][layer_norm]") {
  const int threads = get_num_threads();
  auto grads = [](int n) {
    set_num_threads(n);
    Tensor x = uniform_values({8, 16, 30, 30}, -1, 1, 21).to(kFloat32);  // above the parallel grain
    Tensor w = uniform_values({16}, 0.5, 1.5, 22).to(kFloat32).requires_grad_();
    Tensor b = uniform_values({16}, -1, 1, 23).to(kFloat32).requires_grad_();
    test::wsum(layer_norm(channels_last_view(x), {16}, w, b)).backward();
    return std::pair{w.grad().to_vector<double>(), b.grad().to_vector<double>()};
  };
  auto one = grads(1), two = grads(2), three = grads(3);
  set_num_threads(threads);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
  CHECK(one.first == three.first);
  CHECK(one.second == three.second);
}
