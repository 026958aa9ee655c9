// Homework 3, Wasserstein GANs, second tier: random inputs and random weights, compared with the outputs of the
// reference solution stored in tests/course/references/ (see reference.h): the blocks and networks (the
// generator's BatchNorms in training mode, with random affine weights), the losses and the gradients they give,
// the gradient penalty with its interpolation weights drawn from a seeded generator. The first tier is
// test_hw3_wgan.cpp.
#include "../helpers.h"
#include "models/gan/wgan.h"
#include "reference.h"

using namespace dgm;
using dgm::course::ReferenceCase;
namespace gan = dgm::models::gan;

namespace {

// writing: BatchNorm weights away from 1 and biases away from 0, so that a missing or misplaced BatchNorm shows
void randomize_batch_norms(nn::Module& m) {
  NoGradGuard no_grad;
  for (auto& [name, p] : m.named_parameters())
    if (name.find("bn") != std::string::npos) p.uniform_(0.5, 1.5);
}

}  // namespace

TEST_CASE("GeneratorBlock on random inputs and weights matches the reference solution", "[hw3][hw3.6][reference]") {
  ReferenceCase ref("hw3.6_generator_block");
  manual_seed(3601);
  gan::GeneratorBlock up(3, 5, true), same(4, 4);
  if (ref.writing()) {
    randomize_batch_norms(up);
    randomize_batch_norms(same);
  }
  ref.parameters(up, "up");
  ref.parameters(same, "same");
  Tensor x = ref.input("x", [] { return randn({2, 3, 4, 5}); }).requires_grad_();
  Tensor y = ref.input("y", [] { return randn({2, 4, 6, 6}); });
  Tensor out = up.forward(x);
  ref.check("up", out, 1e-5, 1e-4);
  ref.check("same", same.forward(y), 1e-5, 1e-4);
  (out * out).sum().backward();
  ref.check("grad_x", x.grad(), 1e-4, 1e-4);
  ref.finish();
}

TEST_CASE("ConvGenerator on random noise and weights matches the reference solution", "[hw3][hw3.7][reference]") {
  ReferenceCase ref("hw3.7_conv_generator");
  manual_seed(3701);
  gan::ConvGenerator g(6, 4, 2);
  if (ref.writing()) randomize_batch_norms(g);
  ref.parameters(g);
  Tensor z = ref.input("z", [] { return randn({3, 6}); });
  ref.check("x", g.forward(z), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("CriticBlock on random inputs and weights matches the reference solution", "[hw3][hw3.8][reference]") {
  ReferenceCase ref("hw3.8_critic_block");
  manual_seed(3801);
  gan::CriticBlock first(2, 5, true, true), inner(5, 5, true), wide(5, 3);
  ref.parameters(first, "first");
  ref.parameters(inner, "inner");
  ref.parameters(wide, "wide");
  Tensor x = ref.input("x", [] { return randn({2, 2, 8, 8}); });
  Tensor h = first.forward(x);
  ref.check("first", h, 1e-5, 1e-4);
  ref.check("inner", inner.forward(h), 1e-5, 1e-4);
  ref.check("wide", wide.forward(h), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("ConvCritic on random images and weights matches the reference solution", "[hw3][hw3.9][reference]") {
  ReferenceCase ref("hw3.9_conv_critic");
  manual_seed(3901);
  gan::ConvCritic critic(4, std::nullopt, 2);
  ref.parameters(critic);
  Tensor x = ref.input("x", [] { return rand({3, 2, 32, 32}) * 2.0 - 1.0; });
  ref.check("scores", critic.forward(x), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("WGAN's losses and gradients on random images and weights match the reference solution",
          "[hw3][hw3.10][reference]") {
  ReferenceCase ref("hw3.10_wgan_losses");
  manual_seed(31001);
  gan::WGAN model(6, 4, std::nullopt, 1);
  if (ref.writing()) randomize_batch_norms(model);
  ref.parameters(model);
  Tensor x = ref.input("x", [] { return rand({3, 1, 32, 32}) * 2.0 - 1.0; });
  Tensor z = ref.input("z", [] { return randn({3, 6}); });
  Tensor fake = model.generator->forward(z);
  models::Losses c = model.critic_losses(x, fake);
  ref.check("critic_loss", c.at("critic_loss"), 1e-5, 1e-4);
  ref.check("critic_loss_fake", c.at("critic_loss_fake"), 1e-5, 1e-4);
  ref.check("critic_loss_real", c.at("critic_loss_real"), 1e-5, 1e-4);
  models::Losses g = model.generator_losses(fake);
  ref.check("generator_loss", g.at("generator_loss"), 1e-5, 1e-4);
  g.at("generator_loss").backward();
  ref.check("grad_linear", model.generator->linear->weight.grad(), 1e-6, 1e-3);
  ref.finish();
}

TEST_CASE("WGAN-GP's penalty and critic loss on random images and weights match the reference solution",
          "[hw3][hw3.11][reference]") {
  ReferenceCase ref("hw3.11_wgan_gp");
  manual_seed(31101);
  gan::WGAN_GP model(10.0, 6, 4, 1);
  ref.parameters(model);
  Tensor x = ref.input("x", [] { return rand({3, 1, 32, 32}) * 2.0 - 1.0; });
  Tensor fake = ref.input("fake", [] { return rand({3, 1, 32, 32}) * 2.0 - 1.0; });
  Generator gen(311);  // t: one U[0, 1] draw per example, (3, 1, 1, 1), from this generator
  models::Losses l = model.critic_losses(x, fake, &gen);
  ref.check("gradient_penalty_loss", l.at("gradient_penalty_loss"), 1e-5, 1e-4);
  ref.check("critic_loss", l.at("critic_loss"), 1e-5, 1e-4);
  l.at("critic_loss").backward();
  ref.check("grad_critic_linear", model.critic->linear->weight.grad(), 1e-5, 1e-3);
  ref.check("grad_critic_first_conv", model.critic->blocks->children().at(0)->named_parameters().at(0).second.grad(),
            1e-5, 1e-3);
  ref.finish();
}
