// Homework 1, task 2 (PixelCNN): masks, forward shapes, the loss, the
// receptive field (blind spot) and autocompletion. Tiny models on 8x8 images.
#include <cmath>

#include "../helpers.h"
#include "models/ar/pixelcnn.h"

using namespace dgm;
using dgm::models::PixelCNN;

namespace {

// A fixed binary batch (B,1,H,W) without the library's RNG.
Tensor binary_batch(int64_t b, int64_t h, int64_t w, uint64_t seed = 3) {
  return (test::uniform_values({b, 1, h, w}, 0, 1, seed) > 0.5).to(kFloat32);
}

}  // namespace

TEST_CASE("MaskedConv2d masks A and B, by hand (given code: seminar 1)", "[seminar1]") {
  nn::MaskedConv2d a('A', 1, 1, 3), b('B', 1, 1, 3);
  test::check_values(a.mask, {1, 1, 1, 1, 0, 0, 0, 0, 0});
  test::check_values(b.mask, {1, 1, 1, 1, 1, 0, 0, 0, 0});
  nn::MaskedConv2d a5('A', 2, 3, 5);
  REQUIRE(a5.mask.shape() == Shape{3, 2, 5, 5});
  // every (out, in) plane: rows 0,1 ones, row 2 columns 0,1 ones, the rest zero
  std::vector<double> plane = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<double> expected;
  for (int k = 0; k < 6; ++k) expected.insert(expected.end(), plane.begin(), plane.end());
  test::check_values(a5.mask, expected);
  CHECK(a5.padding.h == 2);
}

TEST_CASE("PixelCNN forward gives (B, 2, 1, H, W) logits", "[hw1][hw1.1]") {
  manual_seed(0);
  PixelCNN model({8, 8}, 8, 3, 2, true);
  Tensor logits = model.forward(binary_batch(4, 8, 8));
  CHECK(logits.shape() == Shape{4, 2, 1, 8, 8});
  PixelCNN no_norm({8, 8}, 8, 3, 2, false);
  CHECK(no_norm.forward(binary_batch(2, 8, 8)).shape() == Shape{2, 2, 1, 8, 8});
}

TEST_CASE("PixelCNN loss is the cross-entropy of the logits in nats per pixel", "[hw1][hw1.1]") {
  manual_seed(1);
  PixelCNN model({8, 8}, 8, 3, 2, true);
  Tensor x = binary_batch(3, 8, 8, 5);
  Tensor loss = model.loss(x).at("loss");
  CHECK(loss.dim() == 0);
  CHECK(loss.requires_grad());
  std::vector<double> l = model.forward(x).to_vector<double>();  // (3, 2, 1, 8, 8)
  std::vector<double> t = x.to_vector<double>();                 // (3, 1, 8, 8)
  double total = 0;
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t p = 0; p < 64; ++p) {
      const double l0 = l[(b * 2 + 0) * 64 + p], l1 = l[(b * 2 + 1) * 64 + p];
      const double m = std::max(l0, l1);
      const double lse = m + std::log(std::exp(l0 - m) + std::exp(l1 - m));
      total += lse - (t[b * 64 + p] > 0.5 ? l1 : l0);
    }
  CHECK(loss.item() == Approx(total / (3 * 64)).epsilon(1e-5));
}

TEST_CASE("PixelCNN output at a pixel does not depend on that pixel or later ones", "[hw1][hw1.1]") {
  manual_seed(2);
  PixelCNN model({6, 6}, 8, 3, 2, true);
  Tensor x = binary_batch(1, 6, 6, 7);
  std::vector<double> base = model.forward(x).to_vector<double>();
  // flip pixel (2, 3): outputs at raster positions <= (2, 3) must not move
  std::vector<double> v = x.to_vector<double>();
  v[2 * 6 + 3] = 1 - v[2 * 6 + 3];
  std::vector<double> moved = model.forward(tensor(v, {1, 1, 6, 6}).to(kFloat32)).to_vector<double>();
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t p = 0; p <= 2 * 6 + 3; ++p) CHECK(moved[c * 36 + p] == Approx(base[c * 36 + p]).margin(1e-6));
}

TEST_CASE("PixelCNN samples are binary images of the input shape", "[hw1][hw1.1]") {
  manual_seed(3);
  PixelCNN model({5, 5}, 4, 3, 1, true);
  Generator gen(11);
  Tensor s = model.sample(3, &gen);
  CHECK(s.shape() == Shape{3, 1, 5, 5});
  for (double v : s.to_vector<double>()) CHECK((v == 0.0 || v == 1.0));
  Generator again(11);
  test::check_values(model.sample(3, &again), s.to_vector<double>());
}

TEST_CASE("PixelCNN autocompletion keeps the known pixels and fills every -1", "[hw1][hw1.2]") {
  manual_seed(4);
  PixelCNN model({8, 8}, 8, 3, 2, true);
  Tensor x = binary_batch(4, 8, 8, 9);
  std::vector<double> orig = x.to_vector<double>();
  std::vector<double> init = orig;
  for (int64_t b = 0; b < 4; ++b)
    for (int64_t p = 32; p < 64; ++p) init[b * 64 + p] = -1;  // the lower half
  init[5] = -1;                                               // and one pixel of the top half of the first image
  Generator gen(5);
  Tensor out = model.autocomplete(tensor(init, {4, 1, 8, 8}).to(kFloat32), &gen);
  REQUIRE(out.shape() == Shape{4, 1, 8, 8});
  std::vector<double> got = out.to_vector<double>();
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("pixel " << i);
    if (init[i] == -1)
      CHECK((got[i] == 0.0 || got[i] == 1.0));
    else
      CHECK(got[i] == orig[i]);
  }
  // nothing to fill: the input comes back unchanged
  test::check_values(model.autocomplete(x, &gen), orig);
}

TEST_CASE("PixelCNN receptive field has the causal blind spot", "[hw1][hw1.3]") {
  manual_seed(5);
  const int64_t H = 9, W = 9;
  for (int64_t n_layers : {1, 3}) {
    INFO("n_layers " << n_layers);
    PixelCNN model({H, W}, 8, 3, n_layers, true);
    auto [binary, weighted] = models::receptive_field(model);
    REQUIRE(binary.shape() == Shape{H, W});
    REQUIRE(weighted.shape() == Shape{H, W});
    std::vector<double> b = binary.to_vector<double>(), w = weighted.to_vector<double>();
    const int64_t centre = (H / 2) * W + W / 2;
    for (int64_t p = centre; p < H * W; ++p) {
      INFO("raster position " << p);
      CHECK(b[p] == 0.0);
      CHECK(w[p] == 0.0);
    }
    // the left neighbour and the pixel above are seen
    CHECK(b[centre - 1] == 1.0);
    CHECK(b[centre - W] == 1.0);
    double top = 0;
    for (size_t p = 0; p < w.size(); ++p) {
      CHECK(w[p] >= 0.0);
      CHECK(w[p] <= 1.0);
      CHECK(b[p] == (w[p] > 0 ? 1.0 : 0.0));
      top = std::max(top, w[p]);
    }
    CHECK(top == Approx(1.0));
    // the blind spot: with a 3x3 kernel, the pixel above-right two columns over is never seen
    CHECK(b[(H / 2 - 1) * W + W / 2 + 2] == 0.0);
  }
}

TEST_CASE("PixelCNN receptive-field experiment: the field grows with depth, the blind spot stays", "[hw1][hw1.3]") {
  // The course's experiment (32 filters, kernel 5, 1/3/5/6 layers) on 28x28.
  // Each masked layer moves the field at most one row up and two columns
  // right, and never right within a row, so relative to the centre (i, j)
  // the pixel (i-1, j+3) is never seen (the blind spot) while (i-2, j+4) is.
  const int64_t H = 28, W = 28;
  Tensor before = default_generator().get_state();
  auto maps = models::receptive_field_experiment("", {H, W});
  test::check_values(default_generator().get_state(), before.to_vector<double>(), 0, 0);  // stream untouched
  REQUIRE(maps.size() == 4);
  double previous = 0;
  for (size_t k = 0; k < maps.size(); ++k) {
    INFO("experiment " << k << " (1, 3, 5, 6 layers)");
    std::vector<double> b = maps[k].first.to_vector<double>();
    const double seen = maps[k].first.sum().item();
    CHECK(seen > previous);
    previous = seen;
    CHECK(b[(H / 2 - 1) * W + W / 2 + 3] == 0.0);
    CHECK(b[(H / 2 - 2) * W + W / 2 + 4] == 1.0);
    CHECK(b[(H / 2) * W + W / 2] == 0.0);
  }
}
