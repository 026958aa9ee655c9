// Homework 2, the ResNet VAE, second tier: random inputs and random weights (the batch norms' affine
// parameters too), compared with the outputs of the reference solution stored in tests/course/references/
// (see reference.h): each block in training mode (batch statistics) and, after that step updated the running
// statistics, in evaluation mode; the encoder and decoder; the VAE's losses and their gradients for a fixed eps.
// The first tier is test_hw2_resnet_vae.cpp.
#include "../helpers.h"
#include "models/vae/resnet_vae.h"
#include "reference.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::vae;
using dgm::course::ReferenceCase;

namespace {

// Writing: gives every batch norm a random affine map (they start at 1 and 0). Reading: the stored ones are loaded.
void randomize_batch_norms(nn::Module& m) {
  NoGradGuard no_grad;
  for (auto& [name, p] : m.named_parameters())
    if (name.find("bn") != std::string::npos) p.uniform_(0.5, 1.5);
}

// A block in training mode, then (its running statistics updated by that step) in evaluation mode. The steps
// run on `copy`, loaded from `block`: a case being written keeps `block`'s own tensors (their start, which the
// training step would update in place).
void check_block(ReferenceCase& ref, nn::Module& block, nn::Module& copy, const std::string& name, const Tensor& x) {
  copy.load_state_dict(block.state_dict());
  copy.train();
  ref.check(name + ".train", copy.forward(x), 1e-5, 1e-4);
  copy.eval();
  ref.check(name + ".eval", copy.forward(x), 1e-5, 1e-4);
}

}  // namespace

TEST_CASE("ResNetBlock on random inputs and weights matches the reference solution", "[hw2][hw2.8][reference]") {
  ReferenceCase ref("hw2.8_resnet_block");
  manual_seed(208);
  for (bool final_relu : {true, false}) {
    const std::string name = final_relu ? "final_relu" : "no_final_relu";
    ResNetBlock block(3, 5, final_relu ? 3 : 5, 2, final_relu), copy(3, 5, final_relu ? 3 : 5, 2, final_relu);
    if (ref.writing()) randomize_batch_norms(block);
    ref.parameters(block, name);
    Tensor x = ref.input(name + ".x", [] { return randn({4, 3, 9, 8}); });
    check_block(ref, block, copy, name, x);
  }
  ref.finish();
}

TEST_CASE("ResNetTransposeBlock on random inputs and weights matches the reference solution",
          "[hw2][hw2.9][reference]") {
  ReferenceCase ref("hw2.9_resnet_transpose_block");
  manual_seed(209);
  for (auto [k, stride] : std::vector<std::pair<int64_t, int64_t>>{{3, 2}, {4, 4}}) {
    const std::string name = "k" + std::to_string(k) + "_s" + std::to_string(stride);
    ResNetTransposeBlock block(3, 4, k, stride), copy(3, 4, k, stride);
    if (ref.writing()) randomize_batch_norms(block);
    ref.parameters(block, name);
    Tensor x = ref.input(name + ".x", [] { return randn({3, 3, 4, 5}); });
    check_block(ref, block, copy, name, x);
  }
  ref.finish();
}

TEST_CASE("ConvResNetEncoder and ConvResNetDecoder on random inputs and weights match the reference solution",
          "[hw2][hw2.10][reference]") {
  ReferenceCase ref("hw2.10_encoder_decoder");
  manual_seed(210);
  ConvResNetEncoder encoder({3, 8, 8}, 4, {4, 6});
  ConvResNetDecoder decoder(4, {3, 8, 8}, {4, 6});
  if (ref.writing()) randomize_batch_norms(encoder), randomize_batch_norms(decoder);
  ref.parameters(encoder, "encoder");
  ref.parameters(decoder, "decoder");
  Tensor x = ref.input("x", [] { return randn({5, 3, 8, 8}); });
  auto [mu, log_std] = encoder.encode(x);
  ref.check("mu", mu, 1e-5, 1e-4);
  ref.check("log_std", log_std, 1e-5, 1e-4);
  Tensor z = ref.input("z", [] { return randn({5, 4}); });
  ref.check("mu_x", decoder.forward(z), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("ConvResNetVAE's losses and gradients for a fixed eps match the reference solution",
          "[hw2][hw2.11][reference]") {
  ReferenceCase ref("hw2.11_resnet_vae");
  manual_seed(211);
  ConvResNetVAE model({1, 8, 8}, 3, 0.5, {4, 6});
  if (ref.writing()) randomize_batch_norms(model);
  ref.parameters(model);
  Tensor x = ref.input("x", [] { return rand({6, 1, 8, 8}) * 2.0 - 1.0; });
  Tensor eps = ref.input("eps", [] { return randn({6, 3}); });
  Losses losses = model.loss(x, eps);
  for (const char* key : {"elbo_loss", "recon_loss", "kl_loss"}) ref.check(key, losses.at(key), 1e-4, 1e-5);
  losses.at("elbo_loss").backward();
  for (const auto& [name, p] : model.named_parameters()) ref.check("grad." + name, p.grad(), 1e-4, 1e-3);
  ref.finish();
}
