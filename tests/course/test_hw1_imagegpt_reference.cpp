// Homework 1, ImageGPT, second tier: random inputs and weights, compared with
// the outputs of the reference solution stored in tests/course/references/
// (see reference.h). The first tier is test_hw1_imagegpt.cpp.
#include <cmath>

#include "../helpers.h"
#include "models/ar/imagegpt.h"
#include "reference.h"

using namespace dgm;
using dgm::course::check_frequency;
using dgm::course::ReferenceCase;
using dgm::models::CausalSelfAttention;
using dgm::models::ImageGPT;
using dgm::models::TransformerBlock;

TEST_CASE("Causal self-attention on random inputs matches the reference solution", "[hw1][hw1.4][reference]") {
  ReferenceCase ref("hw1.4_causal_attention");
  manual_seed(104);
  CausalSelfAttention attn(8, 2);
  ref.parameters(attn);
  Tensor x = ref.input("x", [] { return randn({6, 3, 8}); });  // (L, B, E)
  ref.check("mask", attn.get_attention_mask(x), 0, 0);
  ref.check("output", attn.forward(x), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("TransformerBlock on random inputs and weights matches the reference solution", "[hw1][hw1.5][reference]") {
  ReferenceCase ref("hw1.5_transformer_block");
  manual_seed(105);
  TransformerBlock block(8, 2);
  ref.parameters(block);
  Tensor x = ref.input("x", [] { return randn({5, 3, 8}); }).requires_grad_();
  Tensor w = ref.input("w", [] { return randn({5, 3, 8}); });  // weights of the scalar whose gradient is checked
  Tensor y = block.forward(x);
  ref.check("output", y, 1e-5, 1e-4);
  (y * w).sum().backward();
  ref.check("input_grad", x.grad(), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("ImageGPT on random inputs and weights matches the reference solution", "[hw1][hw1.6][reference]") {
  ReferenceCase ref("hw1.6_imagegpt");
  manual_seed(106);
  ImageGPT model({3, 3}, 8, 2, 2);
  ref.parameters(model);
  {
    // sos starts at zero; give it a value so that its use shows
    NoGradGuard no_grad;
    model.sos.copy_(ref.input("sos", [] { return randn({8}); }));
  }
  Tensor x = ref.input("x", [] { return bernoulli(full({4, 1, 3, 3}, 0.5)); });
  Tensor loss = model.loss(x).at("loss");
  ref.check("logits", model.forward(x), 1e-5, 1e-4);
  ref.check("loss", loss, 1e-6, 1e-5);
  loss.backward();
  ref.check("sos_grad", model.sos.grad(), 1e-6, 1e-4);
  ref.check("position_embeddings_grad", model.position_embeddings->weight.grad(), 1e-6, 1e-4);
  ref.finish();
}

TEST_CASE("ImageGPT samples follow the reference solution's conditionals", "[hw1][hw1.6][reference]") {
  // Images of 1x2 pixels: x0 ~ Bernoulli(sigmoid(logit_0)), then x1 from
  // position 1's logit given the drawn x0. The reference solution stored
  // P(x0 = 1), P(x1 = 1) and P(both 1); the frequencies over n samples must match.
  ReferenceCase ref("hw1.6_imagegpt_sample");
  manual_seed(107);
  ImageGPT model({1, 2}, 8, 2, 1);
  ref.parameters(model);
  {
    NoGradGuard no_grad;
    model.sos.copy_(ref.input("sos", [] { return randn({8}); }));
  }
  Tensor probs = ref.expected("probabilities", [&] {
    NoGradGuard no_grad;
    auto p_one = [&](double x0, int64_t t) {
      Tensor tokens = tensor(std::vector<double>{x0, 0.0}, {1, 2});
      return sigmoid(model.forward(tokens)).index({0, t, 0}).item();
    };
    const double p0 = p_one(0, 0), p1_given0 = p_one(0, 1), p1_given1 = p_one(1, 1);
    return tensor(std::vector<double>{p0, (1 - p0) * p1_given0 + p0 * p1_given1, p0 * p1_given1});
  });
  const int64_t n = 4000;
  Generator gen(8);
  Tensor s = model.sample(n, &gen);
  REQUIRE(s.shape() == Shape{n, 1, 1, 2});
  Tensor a = s.index({Slice(), 0, 0, 0}).to(kFloat64), b = s.index({Slice(), 0, 0, 1}).to(kFloat64);
  CHECK(logical_or(a.eq(0.0), a.eq(1.0)).all().item() == 1.0);
  CHECK(logical_or(b.eq(0.0), b.eq(1.0)).all().item() == 1.0);
  std::vector<double> p = probs.to_vector<double>();
  check_frequency("P(x0 = 1)", a.mean().item(), p[0], n);
  check_frequency("P(x1 = 1)", b.mean().item(), p[1], n);
  check_frequency("P(x0 = 1, x1 = 1)", (a * b).mean().item(), p[2], n);
  ref.finish();
}
