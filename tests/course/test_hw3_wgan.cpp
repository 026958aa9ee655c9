// Homework 3, Wasserstein GANs (task 3): the course's unit tests (ConvGenerator(4, 32) on randn(2, 4) gives
// [2, 3, 32, 32], the critic gives [2, 1]) and checks that can fail: blocks with hand-set weights against hand
// values (nearest upsampling, the strided average pool, the missing ReLU of the first critic block), clipping into
// [-c, c], and a critic set to be linear in its input, whose losses and gradient penalty have closed forms.
#include <cmath>

#include "../helpers.h"
#include "models/gan/conv_critic.h"
#include "models/gan/conv_generator.h"
#include "models/gan/penalties.h"
#include "models/gan/wgan.h"

using namespace dgm;
using dgm::test::check_values;
namespace gan = dgm::models::gan;

namespace {

// Sets the parameter `name` of m to `value` everywhere.
void set_param(nn::Module& m, const std::string& name, double value) {
  NoGradGuard no_grad;
  for (auto& [n, p] : m.named_parameters())
    if (n == name) {
      p.fill_(value);
      return;
    }
  FAIL("no parameter " << name);
}

void zero_params(nn::Module& m) {
  NoGradGuard no_grad;
  for (Tensor& p : m.parameters()) p.zero_();
}

// A 3x3 conv (1 -> 1) whose kernel is `centre` at the centre and 0 elsewhere: centre * x.
void centre_kernel(nn::Conv2d& conv, double centre) {
  NoGradGuard no_grad;
  conv.weight.zero_();
  conv.weight.narrow(2, 1, 1).narrow(3, 1, 1).fill_(centre);
  conv.bias.zero_();
}

// ConvCritic(2, none, 1) set to a linear function of its input: the conv weights of every block are 0, so each
// block is its shortcut; block 0's 1x1 shortcut_conv maps the gray channel to (48 x + 100, 24 x + 100), positive
// for x in [-1, 1] so the final ReLU is the identity; the average pools keep the spatial mean; linear = (1, 2).
//   f(x) = 1 (48 m + 100) + 2 (24 m + 100) = 96 m + 300,   m = the mean of the image's 1024 pixels
//   d f / d x_pixel = 96 / 1024 for every pixel:  ||grad||_2 = sqrt(1024) 96 / 1024 = 3
std::shared_ptr<gan::ConvCritic> linear_critic() {
  auto critic = std::make_shared<gan::ConvCritic>(2, std::nullopt, 1);
  zero_params(*critic);
  NoGradGuard no_grad;
  auto block = std::dynamic_pointer_cast<gan::CriticBlock>(critic->blocks->children().at(0));
  REQUIRE(block);
  REQUIRE(block->shortcut_conv);
  block->shortcut_conv->weight.copy_(tensor(std::vector<float>{48, 24}, {2, 1, 1, 1}));
  block->shortcut_conv->bias.fill_(100.0);
  critic->linear->weight.copy_(tensor(std::vector<float>{1, 2}, {1, 2}));
  return critic;
}

}  // namespace

TEST_CASE("GeneratorBlock: shapes with and without upsampling, 1x1 shortcut only when in != out", "[hw3][hw3.6]") {
  manual_seed(361);
  gan::GeneratorBlock up(4, 8, true), same(5, 5);
  CHECK(up.forward(randn({2, 4, 5, 6})).shape() == Shape{2, 8, 10, 12});
  CHECK(same.forward(randn({2, 5, 4, 4})).shape() == Shape{2, 5, 4, 4});
  CHECK(up.shortcut_conv != nullptr);
  CHECK(same.shortcut_conv == nullptr);
}

TEST_CASE("GeneratorBlock with hand-set weights: relu(upsampled x) + upsampled x", "[hw3][hw3.6]") {
  // in = out = 1, evaluation mode: the BatchNorms are x / sqrt(1 + 1e-5) (running mean 0, variance 1); conv1 and
  // conv2 are the identity (centre 1), so main(x) = relu(up(relu(x))) and out = relu(up(x)) + up(x).
  gan::GeneratorBlock block(1, 1, true);
  block.eval();
  centre_kernel(*block.conv1, 1.0);
  centre_kernel(*block.conv2, 1.0);
  Tensor x = tensor(std::vector<float>{-1, 2, 3, -4}, {1, 1, 2, 2});
  // nearest x2: each pixel a 2x2 block; out = 2v for v > 0, v for v < 0
  check_values(block.forward(x), {-1, -1, 4, 4, -1, -1, 4, 4, 6, 6, -4, -4, 6, 6, -4, -4}, 1e-4, 1e-4);
  // conv weights 0: out = shortcut_conv(up(x)) = 2 up(x) with a 1x1 weight 2 (in != out)
  gan::GeneratorBlock wide(1, 2, true);
  zero_params(wide);
  set_param(wide, "shortcut_conv.weight", 2.0);
  Tensor y = wide.forward(x);
  REQUIRE(y.shape() == Shape{1, 2, 4, 4});
  check_values(y.narrow(1, 1, 1), {-2, -2, 4, 4, -2, -2, 4, 4, 6, 6, -8, -8, 6, 6, -8, -8}, 1e-6, 1e-6);
}

TEST_CASE("ConvGenerator(4, 32) on randn(2, 4): [2, 3, 32, 32] in [-1, 1]; [2, 1, 32, 32] for one channel",
          "[hw3][hw3.7]") {
  manual_seed(371);
  gan::ConvGenerator g(4, 32);
  Tensor z = randn({2, 4});
  Tensor x = g.forward(z);
  REQUIRE(x.shape() == Shape{2, 3, 32, 32});
  CHECK(x.abs().max().item() <= 1.0);
  gan::ConvGenerator gray(4, 8, 1);
  CHECK(gray.forward(z).shape() == Shape{2, 1, 32, 32});
}

TEST_CASE("ConvGenerator ends in a conv and tanh: a zero conv with bias 0.3 gives tanh(0.3)", "[hw3][hw3.7]") {
  manual_seed(372);
  gan::ConvGenerator g(4, 8, 1);
  set_param(g, "conv.weight", 0.0);
  set_param(g, "conv.bias", 0.3);
  // tanh(0.3) = 0.29131261245 (by hand from the series / any calculator)
  check_values(g.forward(randn({2, 4})), std::vector<double>(2 * 32 * 32, 0.29131261245), 1e-6, 1e-6);
}

TEST_CASE("CriticBlock: shapes, the strided average pool, no ReLU before the first block's conv", "[hw3][hw3.8]") {
  manual_seed(381);
  CHECK(gan::CriticBlock(3, 8, true, true).forward(randn({2, 3, 8, 6})).shape() == Shape{2, 8, 4, 3});
  CHECK(gan::CriticBlock(8, 8).forward(randn({2, 8, 5, 5})).shape() == Shape{2, 8, 5, 5});
  CHECK(gan::CriticBlock(8, 8).shortcut_conv == nullptr);
  // in = out = 1, conv1 = -x, conv2 = x (centre kernels): main(x) = pool(relu(-act(x))), shortcut = pool(x).
  // first (act = identity): pool(relu(-x)) + pool(x); otherwise relu(-relu(x)) = 0 and the block is pool(x).
  Tensor x = tensor(std::vector<float>{1, -2, 3, 4, -5, 6, -7, 8, 9, 10, -11, 12, 13, -14, 15, 16}, {1, 1, 4, 4});
  // 2x2 means of x: (1 - 2 - 5 + 6) / 4 = 0, (3 + 4 - 7 + 8) / 4 = 2, (9 + 10 + 13 - 14) / 4 = 4.5,
  // (-11 + 12 + 15 + 16) / 4 = 8; of relu(-x): 7 / 4, 7 / 4, 14 / 4, 11 / 4
  for (bool first : {true, false}) {
    INFO("first = " << first);
    gan::CriticBlock block(1, 1, true, first);
    centre_kernel(*block.conv1, -1.0);
    centre_kernel(*block.conv2, 1.0);
    if (first)
      check_values(block.forward(x), {1.75, 3.75, 8.0, 10.75}, 1e-6, 1e-6);
    else
      check_values(block.forward(x), {0.0, 2.0, 4.5, 8.0}, 1e-6, 1e-6);
  }
}

TEST_CASE("ConvCritic: a score (B, 1) per image, no sigmoid", "[hw3][hw3.9]") {
  manual_seed(391);
  gan::ConvCritic critic(8);
  CHECK(critic.forward(randn({2, 3, 32, 32})).shape() == Shape{2, 1});
  // the linear critic of linear_critic(): f = 96 m + 300 (far outside (0, 1): no sigmoid)
  Tensor x = full({2, 1, 32, 32}, 0.5);
  check_values(linear_critic()->forward(x), {348.0, 348.0}, 1e-3, 1e-5);
}

TEST_CASE("ConvCritic clipping keeps every weight in [-c, c]", "[hw3][hw3.9]") {
  manual_seed(392);
  gan::ConvCritic critic(8, 0.01, 1);
  for (const Tensor& p : critic.parameters()) CHECK(p.abs().max().item() <= 0.01);
  {
    NoGradGuard no_grad;
    for (Tensor& p : critic.parameters()) p.copy_(randn(p.shape()));  // a critic step that left the box
  }
  critic.clip_weights();
  for (const Tensor& p : critic.parameters()) {
    CHECK(p.abs().max().item() <= 0.01);
    CHECK(p.abs().max().item() == Approx(0.01));  // randn values beyond 0.01 are clamped onto the box, not zeroed
  }
  {
    NoGradGuard no_grad;
    for (Tensor& p : critic.parameters()) p.fill_(0.5);
  }
  critic.forward(randn({2, 1, 32, 32}));  // forward clips when clip_c is set
  for (const Tensor& p : critic.parameters()) check_values(p, std::vector<double>(p.numel(), 0.01), 0, 1e-6);
}

TEST_CASE("WGAN losses of a linear critic: critic_loss = E f(fake) - E f(real), generator_loss = -E f(fake)",
          "[hw3][hw3.10]") {
  manual_seed(3101);
  gan::WGAN model(4, 2, std::nullopt, 1);
  model.critic = linear_critic();  // the model's own critic replaced by the linear one
  // f = 96 m + 300: f(real = 0.5) = 348, f(fake = -0.5) = 252
  Tensor real = full({3, 1, 32, 32}, 0.5), fake = full({3, 1, 32, 32}, -0.5);
  models::Losses l = model.critic_losses(real, fake);
  CHECK(l.size() == 3);
  check_values(l.at("critic_loss_fake"), {252.0}, 1e-3, 1e-5);
  check_values(l.at("critic_loss_real"), {-348.0}, 1e-3, 1e-5);
  check_values(l.at("critic_loss"), {-96.0}, 1e-3, 1e-5);
  models::Losses g = model.generator_losses(fake);
  CHECK(g.size() == 1);
  check_values(g.at("generator_loss"), {-252.0}, 1e-3, 1e-5);
}

TEST_CASE("WGAN: sample(n) draws (n, C, 32, 32) in [-1, 1] from input_size noise; loss keys", "[hw3][hw3.10]") {
  manual_seed(3102);
  gan::WGAN model(4, 8, 0.01, 1);
  Tensor s = model.sample(5);
  REQUIRE(s.shape() == Shape{5, 1, 32, 32});
  CHECK(!s.requires_grad());
  CHECK(s.abs().max().item() <= 1.0);
  Generator a(7), b(7), c(8);
  CHECK(model.sample(3, &a).to_vector<double>() == model.sample(3, &b).to_vector<double>());
  CHECK(model.sample(3, &a).to_vector<double>() != model.sample(3, &c).to_vector<double>());
  models::Losses l = model.loss(models::Batch(rand({4, 1, 32, 32}) * 2.0 - 1.0));
  std::vector<std::string> keys;
  for (const auto& [k, v] : l) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"critic_loss", "critic_loss_fake", "critic_loss_real", "generator_loss"});
}

TEST_CASE("gradient penalty of a linear critic: the closed form (|w| - 1)^2", "[hw3][hw3.11]") {
  // f(x) = x w + b with w = (1, 2, 2): grad_x f = w at every interpolate, |w| = 3, so GP = (3 - 1)^2 = 4
  Tensor w = tensor(std::vector<double>{1, 2, 2}, {3, 1});
  gan::Critic f = [w](const Tensor& x) { return matmul(x, w) - 0.25; };
  Tensor real = test::uniform_values({5, 3}, -1, 1, 21), fake = test::uniform_values({5, 3}, -1, 1, 22);
  Generator gen(3);
  check_values(gan::input_gradient_norm(f, real), std::vector<double>(5, 3.0), 1e-12, 1e-12);
  check_values(gan::gradient_penalty(f, real, fake, &gen), {4.0}, 1e-12, 1e-12);
  // per example: the norm of each row, not of the batch: f(x) = sum_j x_j^2 / 2 has grad x, norms |x_i|
  gan::Critic q = [](const Tensor& x) { return (x * x).sum(std::vector<int64_t>{1}) * 0.5; };
  Tensor x = tensor(std::vector<double>{3, 4, 0, 0, 0, 1}, {3, 2});
  check_values(gan::input_gradient_norm(q, x), {5.0, 0.0, 1.0}, 1e-12, 1e-12);
}

TEST_CASE("WGAN_GP's critic loss adds gp_weight times the penalty: 10 (3 - 1)^2 = 40 for the linear critic",
          "[hw3][hw3.11]") {
  manual_seed(3111);
  gan::WGAN_GP model(10.0, 4, 2, 1);
  model.critic = linear_critic();
  Tensor real = full({3, 1, 32, 32}, 0.5), fake = full({3, 1, 32, 32}, -0.5);
  models::Losses l = model.critic_losses(real, fake);
  CHECK(l.size() == 4);
  check_values(l.at("gradient_penalty_loss"), {40.0}, 1e-3, 1e-5);
  check_values(l.at("critic_loss"), {-56.0}, 1e-3, 1e-5);  // -96 + 40
  // the penalty's graph reaches the critic's weights (double backward): d GP / d linear.weight != 0
  l.at("gradient_penalty_loss").backward();
  REQUIRE(model.critic->linear->weight.grad().defined());
  CHECK(model.critic->linear->weight.grad().abs().max().item() > 0);
}
