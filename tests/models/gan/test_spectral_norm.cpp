// Spectral normalization (nn/modules/spectral_norm.h): one power-iteration step against the same step written
// by hand; sigma after many training forwards against the largest singular value from float64 eigvalsh(W^T W);
// the gradient of W / sigma(W) with u, v fixed by float64 gradcheck; eval mode leaves u, v alone; a module
// restored from a state dict continues bit-identically.
#include <cmath>

#include "nn/modules/spectral_norm.h"
#include "tests/helpers.h"

using namespace dgm;

namespace {

// sqrt(largest eigenvalue of M^T M), M = W.flatten(1), in float64
double top_singular_value(const Tensor& w) {
  Tensor m = w.detach().to(kFloat64).flatten(1);
  return std::sqrt(linalg::eigvalsh(m.t().mm(m)).max().item<double>());
}

std::vector<double> unit(std::vector<double> a) {
  double n = 0;
  for (double x : a) n += x * x;
  for (double& x : a) x /= std::max(std::sqrt(n), 1e-12);
  return a;
}

}  // namespace

TEST_CASE("SpectralNormLinear's training forward takes one power-iteration step", "[spectral]") {
  manual_seed(3);
  nn::SpectralNormLinear layer(4, 3);
  layer.to(kFloat64);
  const std::vector<double> w = layer.sn.weight_orig.to_vector<double>(), u0 = layer.sn.weight_u.to_vector<double>();
  // by hand: v = normalize(W^T u0), u = normalize(W v), sigma = u . W v
  std::vector<double> v(4, 0), u(3, 0), wv(3, 0);
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 3; ++i) v[j] += w[i * 4 + j] * u0[i];
  v = unit(v);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) wv[i] += w[i * 4 + j] * v[j];
  u = unit(wv);
  double sigma = 0;
  for (int i = 0; i < 3; ++i) sigma += u[i] * wv[i];
  Tensor x = test::uniform_values({5, 4}, -1, 1, 9);
  Tensor y = layer.forward(x);
  test::check_values(layer.sn.weight_v, v, 1e-12, 1e-12);
  test::check_values(layer.sn.weight_u, u, 1e-12, 1e-12);
  CHECK(std::fabs(layer.sigma() - sigma) < 1e-12);
  // y = x (W / sigma)^T + b
  Tensor expected = x.mm((layer.sn.weight_orig / sigma).t()) + layer.bias;
  test::check_values(y, expected.to_vector<double>(), 1e-12, 1e-12);
  // eval mode: u and v stay
  layer.eval();
  layer.forward(x);
  test::check_values(layer.sn.weight_u, u, 0, 0);
  test::check_values(layer.sn.weight_v, v, 0, 0);
}

TEST_CASE("sigma converges to the largest singular value (float64 eigvalsh of W^T W)", "[spectral]") {
  manual_seed(4);
  nn::SpectralNormLinear layer(16, 8);
  layer.to(kFloat64);
  nn::SpectralNormConv2d conv(3, 5, 3, 1, 1);
  conv.to(kFloat64);
  Tensor x = test::uniform_values({2, 16}, -1, 1, 5), image = test::uniform_values({1, 3, 6, 6}, -1, 1, 6);
  for (int i = 0; i < 200; ++i) layer.forward(x), conv.forward(image);
  const double s = top_singular_value(layer.sn.weight_orig), sc = top_singular_value(conv.sn.weight_orig);
  INFO("linear: sigma " << layer.sigma() << ", top singular value " << s);
  CHECK(std::fabs(layer.sigma() - s) < 1e-9 * s);
  INFO("conv: sigma " << conv.sigma() << ", top singular value " << sc);
  CHECK(std::fabs(conv.sigma() - sc) < 1e-9 * sc);
  // the normalized weight has spectral norm 1
  CHECK(std::fabs(top_singular_value(layer.weight()) - 1.0) < 1e-9);
  // the conv's output is conv2d with W / sigma
  conv.eval();
  Tensor expected = nn::functional::conv2d(image, conv.sn.weight_orig / conv.sigma(), conv.bias, 1, 1);
  test::check_values(conv.forward(image), expected.to_vector<double>(), 1e-12, 1e-12);
}

TEST_CASE("the gradient of W / sigma(W) with u, v fixed passes float64 gradcheck", "[spectral]") {
  Tensor w = test::leaf({3, 2, 2, 2}, -1, 1, 21);
  Tensor u = tensor(unit({0.3, -0.5, 0.8}), {3}, kFloat64);
  Tensor v = tensor(unit({0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8}), {8}, kFloat64);
  REQUIRE_GRADCHECK([&](const std::vector<Tensor>& in) { return test::wsum(nn::spectral_normalize(in[0], u, v)); },
                    {w});
  CHECK_THROWS_WITH(nn::spectral_normalize(w, v, u), Catch::Contains("spectral_normalize"));
}

TEST_CASE("a spectrally normalized layer restored from its state dict continues bit-identically", "[spectral]") {
  manual_seed(7);
  nn::SpectralNormLinear a(6, 4);
  Tensor x = test::uniform_values({3, 6}, -1, 1, 2).to(kFloat32);
  for (int i = 0; i < 3; ++i) a.forward(x);
  manual_seed(8);
  nn::SpectralNormLinear b(6, 4);
  b.load_state_dict(a.state_dict());
  // the buffers weight_u, weight_v are in the state dict beside weight_orig and bias
  CHECK(a.state_dict().count("weight_u") == 1);
  CHECK(a.state_dict().count("weight_v") == 1);
  for (int i = 0; i < 2; ++i) CHECK(a.forward(x).to_vector<double>() == b.forward(x).to_vector<double>());
  CHECK(a.sn.weight_u.to_vector<double>() == b.sn.weight_u.to_vector<double>());
}

TEST_CASE("a graph built before the next power-iteration step still backpropagates", "[spectral]") {
  // a GAN critic sees the real and the fake batch in two training forwards, then one backward: the second
  // forward's in-place update of u, v must not touch what the first forward's graph saved
  manual_seed(9);
  nn::SpectralNormLinear a(3, 2);
  Tensor x = test::uniform_values({4, 3}, -1, 1, 3).to(kFloat32);
  Tensor loss = a.forward(x).sum() + a.forward(x * 2.0).sum();
  loss.backward();
  CHECK(a.sn.weight_orig.grad().defined());
}
