// Seminar 1: the histogram model of a quantized 1-D mixture (MLE of a
// categorical through softmax logits) and the 256-level grayscale PixelCNN.
#include <cmath>
#include <map>
#include <string>

#include "../helpers.h"
#include "models/ar/histogram.h"
#include "models/ar/pixelcnn.h"

using namespace dgm;
using dgm::models::HistogramModel;

TEST_CASE("generate_1d_data: quantized values of the 2-Gaussian mixture", "[seminar1]") {
  Generator gen(0);
  Tensor x = models::generate_1d_data(1000, 100, &gen);
  REQUIRE(x.shape() == Shape{1000});
  REQUIRE(x.dtype() == kInt64);
  std::vector<int64_t> v = x.to_vector<int64_t>();
  double mean = 0;
  int64_t near_first = 0;
  for (int64_t k : v) {
    CHECK(k >= 0);
    CHECK(k < 100);
    mean += static_cast<double>(k) / v.size();
    near_first += (k >= 10 && k < 30);
  }
  CHECK(mean == Approx(40).margin(3));  // 0.5 * 0.2 + 0.5 * 0.6 = 0.4
  CHECK(near_first > 400);              // the narrow mode at 0.2 holds about half
}

TEST_CASE("HistogramModel NLL by hand", "[seminar1]") {
  HistogramModel model(3);
  // uniform start: nll = log 3
  Tensor x = tensor(std::vector<int64_t>{0, 1, 1, 2}, {4});
  CHECK(model.nll(x).item() == Approx(std::log(3.0)));
  {
    NoGradGuard no_grad;
    model.logits.copy_(tensor(std::vector<float>{0, static_cast<float>(std::log(2.0)), 0}, {3}));
  }
  // p = (1/4, 1/2, 1/4): nll = -(log 1/4 + 2 log 1/2 + log 1/4) / 4 = 1.5 log 2
  test::check_values(model.probs(), {0.25, 0.5, 0.25});
  CHECK(model.nll(x).item() == Approx(1.5 * std::log(2.0)).epsilon(1e-5));
}

TEST_CASE("HistogramModel fit decreases the NLL towards the empirical entropy", "[seminar1]") {
  Generator gen(1);
  const int64_t bins = 20;
  Tensor data = models::generate_1d_data(500, bins, &gen);
  HistogramModel model(bins);
  const double start = model.nll(data).item();
  std::vector<double> history = model.fit(data, 300, 0.1);
  CHECK(history.back() < start);
  CHECK(history.back() <= history[history.size() / 2] + 1e-6);
  // the MLE is the histogram; its NLL is the empirical entropy
  std::vector<double> counts(bins, 0);
  for (int64_t k : data.to_vector<int64_t>()) counts[k] += 1;
  double entropy = 0;
  for (double c : counts)
    if (c > 0) entropy -= c / 500 * std::log(c / 500);
  CHECK(history.back() == Approx(entropy).margin(0.02));
  std::vector<double> p = model.probs().to_vector<double>();
  for (int64_t k = 0; k < bins; ++k) CHECK(p[k] == Approx(counts[k] / 500).margin(0.02));
  // samples follow the fitted probabilities
  Tensor s = model.sample(4000, &gen);
  REQUIRE(s.shape() == Shape{4000});
  std::vector<double> freq(bins, 0);
  for (int64_t k : s.to_vector<int64_t>()) {
    REQUIRE(k >= 0);
    REQUIRE(k < bins);
    freq[k] += 1.0 / 4000;
  }
  for (int64_t k = 0; k < bins; ++k) CHECK(freq[k] == Approx(p[k]).margin(0.03));
}

TEST_CASE("grayscale PixelCNN: 256 classes, CE on (x*255) levels, samples on the 1/255 grid", "[seminar1]") {
  manual_seed(6);
  models::PixelCNN model({4, 4}, 8, 3, 1, true, 256);
  Tensor x = (test::uniform_values({2, 1, 4, 4}, 0, 256, 2).floor() / 255.0).clamp(0.0, 1.0).to(kFloat32);
  Tensor logits = model.forward(x);
  CHECK(logits.shape() == Shape{2, 256, 1, 4, 4});
  std::vector<int64_t> c = model.classes(x).to_vector<int64_t>();
  std::vector<double> xv = x.to_vector<double>();
  for (size_t i = 0; i < c.size(); ++i) CHECK(c[i] == std::llround(xv[i] * 255));
  Tensor loss = model.loss(x).at("loss");
  CHECK(loss.item() == Approx(std::log(256.0)).margin(1.0));
  Generator gen(3);
  Tensor s = model.sample(2, &gen);
  CHECK(s.shape() == Shape{2, 1, 4, 4});
  for (double v : s.to_vector<double>()) {
    CHECK(v >= 0.0);
    CHECK(v <= 1.0);
    CHECK(v * 255 == Approx(std::round(v * 255)).margin(1e-3));
  }
}

TEST_CASE("grayscale PixelCNN widens its layers as the seminar's hidden-channel list says", "[seminar1]") {
  manual_seed(7);
  models::PixelCNN model({6, 6}, std::vector<int64_t>{4, 8, 5}, 3, true, 256);
  std::map<std::string, Shape> shapes;
  for (const auto& [name, p] : model.named_parameters()) shapes[name] = p.shape();
  // 'A' conv 1 -> 4; layer 0: norm over 4, conv 4 -> 8; layer 1: norm over 8, conv 8 -> 5; 1x1 conv 5 -> 256
  CHECK(shapes.size() == 12);
  CHECK(shapes["input_conv.weight"] == Shape{4, 1, 3, 3});
  CHECK(shapes["norm0.norm.weight"] == Shape{4});
  CHECK(shapes["conv0.weight"] == Shape{8, 4, 3, 3});
  CHECK(shapes["norm1.norm.bias"] == Shape{8});
  CHECK(shapes["conv1.weight"] == Shape{5, 8, 3, 3});
  CHECK(shapes["output_conv.weight"] == Shape{256, 5, 1, 1});
  CHECK(model.extra_repr() ==
        "input_shape=(6, 6), hidden_channels=[4, 8, 5], kernel_size=3, n_layers=2, use_layer_norm=true, levels=256");

  // still causal with unequal widths: the logits at pixel (2, 3), summed over
  // the classes, have a zero gradient at (2, 3) and after, and a nonzero one
  // at the pixel before it
  Tensor x = (test::uniform_values({1, 1, 6, 6}, 0, 256, 8).floor() / 255.0).to(kFloat32).requires_grad_();
  Tensor logits = model.forward(x);
  REQUIRE(logits.shape() == Shape{1, 256, 1, 6, 6});
  logits.select(0, 0).select(1, 0).select(1, 2).select(1, 3).sum().backward();
  std::vector<double> g = x.grad().to_vector<double>();
  for (int64_t p = 2 * 6 + 3; p < 36; ++p) CHECK(g[p] == 0.0);
  CHECK(g[2 * 6 + 2] != 0.0);

  // F filters and n layers is the list of n + 1 F's
  models::PixelCNN uniform({6, 6}, 8, 3, 2, true), listed({6, 6}, std::vector<int64_t>{8, 8, 8}, 3, true);
  std::vector<Shape> a, b;
  for (const Tensor& p : uniform.parameters()) a.push_back(p.shape());
  for (const Tensor& p : listed.parameters()) b.push_back(p.shape());
  CHECK(a == b);
  CHECK(uniform.extra_repr() == listed.extra_repr());

  CHECK_THROWS_WITH(models::PixelCNN({6, 6}, std::vector<int64_t>{}, 3), Catch::Contains("at least one entry"));
  CHECK_THROWS_WITH(models::PixelCNN({6, 6}, std::vector<int64_t>{4, 0}, 3),
                    Catch::Contains("must be positive, got (4,0)"));
  CHECK_THROWS_WITH(models::PixelCNN({6, 6}, 8, 3, -1), Catch::Contains("n_layers must be non-negative"));
}
