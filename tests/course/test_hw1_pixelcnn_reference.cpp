// Homework 1, PixelCNN, second tier: random inputs and weights, compared with
// the outputs of the reference solution stored in tests/course/references/
// (see reference.h). The first tier is test_hw1_pixelcnn.cpp.
#include <cmath>

#include "../helpers.h"
#include "models/ar/pixelcnn.h"
#include "reference.h"

using namespace dgm;
using dgm::course::check_frequency;
using dgm::course::ReferenceCase;
using dgm::models::PixelCNN;

TEST_CASE("PixelCNN on random inputs and weights matches the reference solution", "[hw1][hw1.1][reference]") {
  ReferenceCase ref("hw1.1_pixelcnn");
  manual_seed(101);
  // binary images, 7x9, layer norm
  PixelCNN model({7, 9}, 8, 5, 3, true);
  ref.parameters(model);
  Tensor x = ref.input("x", [] { return bernoulli(full({4, 1, 7, 9}, 0.4)); });
  Tensor loss = model.loss(x).at("loss");
  ref.check("logits", model.forward(x), 1e-4, 1e-4);
  ref.check("loss", loss, 1e-5, 1e-5);
  loss.backward();
  ref.check("input_conv_weight_grad", model.named_parameters().front().second.grad(), 1e-5, 1e-4);
  // 4 levels (values c/3), no layer norm: seminar 1's multi-level variant
  PixelCNN levels({5, 6}, 6, 3, 2, false, 4);
  ref.parameters(levels, "levels");
  Tensor g = ref.input("gray", [] { return randint(0, 4, {3, 1, 5, 6}).to(kFloat32) / 3.0; });
  ref.check("gray_logits", levels.forward(g), 1e-4, 1e-4);
  ref.check("gray_loss", levels.loss(g).at("loss"), 1e-5, 1e-5);
  ref.finish();
}

TEST_CASE("PixelCNN autocompletion draws from the reference solution's conditionals", "[hw1][hw1.2][reference]") {
  // One 4x5 image with two missing pixels, (2,2) and (3,2) below it, copied n
  // times. Autocompletion must draw the first from p(x22 | known pixels) and
  // the second from p(x32 | known pixels, the drawn x22): the reference
  // solution stored P(x22 = 1) and P(x32 = 1 | x22 = 0 or 1); the frequencies
  // over n completions must match P(x22 = 1), P(x32 = 1) and P(both 1).
  // A one-layer PixelCNN whose 'A' tap on the pixel above is 10x larger, so
  // that x32 depends strongly on x22 (deeper random models barely do, and a
  // sampler that ignores the drawn x22 would pass).
  ReferenceCase ref("hw1.2_pixelcnn_autocomplete");
  manual_seed(202);
  PixelCNN model({4, 5}, 8, 3, 0, false);
  if (ref.writing()) {
    NoGradGuard no_grad;
    for (auto& [name, t] : model.named_parameters())
      if (name == "input_conv.weight") t.select(2, 0).select(2, 1).mul_(10.0);  // tap (row above, centre)
  }
  ref.parameters(model);
  Tensor init = ref.input("init", [] {
    Tensor x = bernoulli(full({1, 1, 4, 5}, 0.5));
    x.index({0, 0, 2, 2}).fill_(-1.0);
    x.index({0, 0, 3, 2}).fill_(-1.0);
    return x;
  });
  // p(x = 1) at (i, j) of a full image (later pixels do not matter)
  auto p_one = [&](const Tensor& image, int64_t i, int64_t j) {
    NoGradGuard no_grad;
    Tensor probs = softmax(model.forward(image.clamp(0.0, 1.0)).select(2, 0), 1);  // (1, 2, H, W)
    return probs.index({0, 1, i, j}).item();
  };
  // {P(x22 = 1), P(x32 = 1 | x22 = 0), P(x32 = 1 | x22 = 1)}
  Tensor conditionals = ref.expected("conditionals", [&] {
    Tensor with0 = init.clone(), with1 = init.clone();
    with0.index({0, 0, 2, 2}).fill_(0.0);
    with1.index({0, 0, 2, 2}).fill_(1.0);
    return tensor(std::vector<double>{p_one(init, 2, 2), p_one(with0, 3, 2), p_one(with1, 3, 2)});
  });
  std::vector<double> c = conditionals.to_vector<double>();
  if (ref.writing()) {
    // the case must be able to tell a right sampler from a wrong one
    INFO("P(x22 = 1) " << c[0] << ", P(x32 = 1 | x22 = 0) " << c[1] << ", P(x32 = 1 | x22 = 1) " << c[2]);
    REQUIRE((c[0] > 0.2 && c[0] < 0.8 && std::fabs(c[2] - c[1]) > 0.2));
  }
  std::vector<double> p = {c[0], (1 - c[0]) * c[1] + c[0] * c[2], c[0] * c[2]};
  const int64_t n = 4000;
  Generator gen(7);
  Tensor out = model.autocomplete(init.expand({n, 1, 4, 5}).contiguous(), &gen);
  REQUIRE(out.shape() == Shape{n, 1, 4, 5});
  Tensor known = init.ne(-1.0).expand({n, 1, 4, 5});
  CHECK(logical_or(out.eq(init.expand({n, 1, 4, 5})), known.logical_not()).all().item() == 1.0);  // known pixels kept
  Tensor a = out.select(2, 2).select(2, 2).view({n}), b = out.select(2, 3).select(2, 2).view({n});
  CHECK(logical_or(a.eq(0.0), a.eq(1.0)).all().item() == 1.0);
  CHECK(logical_or(b.eq(0.0), b.eq(1.0)).all().item() == 1.0);
  check_frequency("P(x22 = 1)", a.mean().item(), p[0], n);
  check_frequency("P(x32 = 1)", b.mean().item(), p[1], n);
  check_frequency("P(x22 = 1, x32 = 1)", (a * b).mean().item(), p[2], n);
  ref.finish();
}

TEST_CASE("PixelCNN receptive field with random weights matches the reference solution", "[hw1][hw1.3][reference]") {
  ReferenceCase ref("hw1.3_pixelcnn_receptive_field");
  manual_seed(103);
  PixelCNN model({9, 7}, 8, 3, 3, true);
  ref.parameters(model);
  auto [binary, weighted] = models::receptive_field(model);
  ref.check("binary", binary, 0, 0);
  ref.check("weighted", weighted, 1e-5, 1e-4);
  ref.finish();
}
