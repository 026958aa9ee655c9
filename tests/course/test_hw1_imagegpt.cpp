// Homework 1, task 3 (ImageGPT): the course's unit tests ported (mask, block
// and model shapes), plus the loss by hand and causality checks.
#include <cmath>
#include <limits>

#include "../helpers.h"
#include "models/ar/imagegpt.h"

using namespace dgm;
using dgm::models::CausalSelfAttention;
using dgm::models::ImageGPT;
using dgm::models::TransformerBlock;

TEST_CASE("causal attention mask is [[0,-inf],[0,0]]; output shape = input shape", "[hw1][hw1.4]") {
  manual_seed(0);
  Tensor x = zeros({2, 4, 16});  // (L, B, E)
  CausalSelfAttention attn(16, 8);
  Tensor mask = attn.get_attention_mask(x);
  REQUIRE(mask.shape() == Shape{2, 2});
  std::vector<double> m = mask.to_vector<double>();
  CHECK(m[0] == 0.0);
  CHECK(m[1] == -std::numeric_limits<double>::infinity());
  CHECK(m[2] == 0.0);
  CHECK(m[3] == 0.0);
  CHECK(attn.forward(x).shape() == x.shape());
}

TEST_CASE("causal attention mask for L = 5", "[hw1][hw1.4]") {
  Tensor x = zeros({5, 1, 4});
  CausalSelfAttention attn(4, 2);
  std::vector<double> m = attn.get_attention_mask(x).to_vector<double>();
  REQUIRE(m.size() == 25);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      INFO("mask[" << i << "][" << j << "]");
      if (j <= i)
        CHECK(m[i * 5 + j] == 0.0);
      else
        CHECK((std::isinf(m[i * 5 + j]) && m[i * 5 + j] < 0));
    }
}

TEST_CASE("TransformerBlock keeps the shape (4, 28, 12)", "[hw1][hw1.5]") {
  manual_seed(1);
  TransformerBlock block(12, 4);
  Tensor x = zeros({4, 28, 12});
  CHECK(block.forward(x).shape() == x.shape());
}

TEST_CASE("TransformerBlock is causal and pre-LN", "[hw1][hw1.5]") {
  manual_seed(2);
  TransformerBlock block(8, 2);
  Tensor x = test::uniform_values({5, 2, 8}, -1, 1, 3).to(kFloat32);
  std::vector<double> base = block.forward(x).to_vector<double>();
  // change position 3: positions 0..2 must not move
  std::vector<double> v = x.to_vector<double>();
  for (int i = 3 * 16; i < 4 * 16; ++i) v[i] += 1.0;
  std::vector<double> moved = block.forward(tensor(v, {5, 2, 8}).to(kFloat32)).to_vector<double>();
  for (int i = 0; i < 3 * 16; ++i) CHECK(moved[i] == Approx(base[i]).margin(1e-5));
  bool changed = false;
  for (int i = 3 * 16; i < 4 * 16; ++i) changed = changed || std::fabs(moved[i] - base[i]) > 1e-6;
  CHECK(changed);
  // pre-LN: a block whose sublayers output zero is the identity
  {
    NoGradGuard no_grad;
    block.attn->out_proj->weight.zero_();
    block.attn->out_proj->bias.zero_();
    block.fc2->weight.zero_();
    block.fc2->bias.zero_();
  }
  test::check_values(block.forward(x), x.to_vector<double>());
}

TEST_CASE("ImageGPT: (2,4,1) logits, loss requires grad, sample(1) is (1,1,2,2)", "[hw1][hw1.6]") {
  manual_seed(3);
  ImageGPT model({2, 2}, 12, 4, 2);
  Tensor x = tensor(std::vector<int64_t>{0, 1, 0, 0, 0, 1, 1, 1}, {2, 4});
  Tensor logits = model.forward(x);
  CHECK(logits.shape() == Shape{2, 4, 1});
  Tensor loss = model.loss(x).at("loss");
  CHECK(loss.dim() == 0);
  CHECK(loss.requires_grad());
  Tensor s = model.sample(1);
  CHECK(s.shape() == Shape{1, 1, 2, 2});
  for (double v : s.to_vector<double>()) CHECK((v == 0.0 || v == 1.0));
}

TEST_CASE("ImageGPT loss is BCE with logits in nats per pixel", "[hw1][hw1.6]") {
  manual_seed(4);
  ImageGPT model({2, 3}, 8, 2, 1);
  Tensor x = tensor(std::vector<float>{0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1}, {2, 1, 2, 3});
  std::vector<double> l = model.forward(x).to_vector<double>();  // (2, 6, 1)
  std::vector<double> t = x.to_vector<double>();
  double total = 0;
  for (size_t i = 0; i < l.size(); ++i)
    total += std::max(l[i], 0.0) - l[i] * t[i] + std::log1p(std::exp(-std::fabs(l[i])));
  CHECK(model.loss(x).at("loss").item() == Approx(total / 12).epsilon(1e-5));
}

TEST_CASE("ImageGPT logit t does not depend on tokens >= t; sos and embeddings take part", "[hw1][hw1.6]") {
  manual_seed(5);
  ImageGPT model({2, 3}, 8, 2, 2);
  CHECK(model.sos.shape() == Shape{8});
  CHECK(model.token_embeddings->num_embeddings == 2);
  CHECK(model.position_embeddings->num_embeddings == 6);
  CHECK(model.head->bias.defined() == false);
  std::vector<float> v = {0, 1, 1, 0, 1, 0};
  std::vector<double> base = model.forward(tensor(v, {1, 6})).to_vector<double>();
  v[2] = 0;  // change token 2: logits 0..2 must not move, some later one does
  std::vector<double> moved = model.forward(tensor(v, {1, 6})).to_vector<double>();
  for (int t = 0; t <= 2; ++t) CHECK(moved[t] == Approx(base[t]).margin(1e-5));
  bool changed = false;
  for (int t = 3; t < 6; ++t) changed = changed || std::fabs(moved[t] - base[t]) > 1e-6;
  CHECK(changed);
  // the gradient reaches sos and both embeddings
  model.loss(tensor(v, {1, 6})).at("loss").backward();
  REQUIRE(model.sos.grad().defined());
  CHECK(model.sos.grad().abs().sum().item() > 0);
  CHECK(model.position_embeddings->weight.grad().abs().sum().item() > 0);
  CHECK(model.token_embeddings->weight.grad().abs().sum().item() > 0);
}
