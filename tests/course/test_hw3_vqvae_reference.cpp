// Homework 3, VQ-VAE and its PixelCNN prior, second tier: random inputs and
// random weights, compared with the outputs of the reference solution stored
// in tests/course/references/ (see reference.h). The first tier is test_hw3_vqvae.cpp.
#include "../helpers.h"
#include "models/vqvae/code_prior.h"
#include "models/vqvae/masked_conv.h"
#include "models/vqvae/vqvae.h"
#include "reference.h"

using namespace dgm;
using dgm::course::ReferenceCase;
namespace vq = dgm::models::vqvae;

TEST_CASE("VectorQuantizer on random inputs matches the reference solution: indices, codes, loss, gradients",
          "[hw3][hw3.1][reference]") {
  ReferenceCase ref("hw3.1_vector_quantizer");
  manual_seed(301);
  vq::VectorQuantizer q(12, 4, 0.25);
  // writing: a codebook on the scale of the inputs, so that many codes are nearest somewhere
  if (ref.writing()) q.embedding->weight.detach().uniform_(-1.0, 1.0);
  ref.parameters(q);
  Tensor x = ref.input("x", [] { return randn({3, 4, 5, 6}) * 0.8; }).requires_grad_();
  Tensor w = ref.input("w", [] { return rand({3, 4, 5, 6}); });
  ref.check("indices", q.get_code_indices(x).to(kFloat32), 0, 0);
  auto [quantized, loss] = q.forward_with_loss(x);
  ref.check("quantized", quantized, 1e-6, 1e-5);
  ref.check("loss", loss, 1e-6, 1e-5);
  ((quantized * w).sum() + loss).backward();
  ref.check("grad_x", x.grad(), 1e-6, 1e-5);
  ref.check("grad_codebook", q.embedding->weight.grad(), 1e-6, 1e-5);
  ref.finish();
}

TEST_CASE("ConvEncoder and ConvDecoder on random inputs match the reference solution", "[hw3][hw3.2][reference]") {
  ReferenceCase ref("hw3.2_conv_coders");
  manual_seed(302);
  vq::ConvEncoder encoder(6, 4);
  vq::ConvDecoder decoder(6, 4);
  ref.parameters(encoder, "encoder");
  ref.parameters(decoder, "decoder");
  Tensor x = ref.input("x", [] { return bernoulli({2, 1, 28, 28}, 0.4); });
  Tensor z = ref.input("z", [] { return randn({2, 6, 7, 7}); });
  ref.check("z_e", encoder.forward(x), 1e-5, 1e-4);
  ref.check("logits", decoder.forward(z), 1e-5, 1e-4);
  ref.finish();
}

TEST_CASE("VQVAEModel's losses on random images and weights match the reference solution", "[hw3][hw3.3][reference]") {
  ReferenceCase ref("hw3.3_vqvae");
  manual_seed(303);
  vq::VQVAEModel model(1.5, 4, 10, {7, 7}, 4);
  if (ref.writing()) model.vq->embedding->weight.detach().uniform_(-0.3, 0.3);
  ref.parameters(model);
  Tensor x = ref.input("x", [] { return bernoulli({3, 1, 28, 28}, 0.3); });
  ref.check("indices", model.get_indices(x).to(kFloat32), 0, 0);
  models::Losses l = model.loss(x);
  ref.check("total_loss", l.at("total_loss"), 1e-5, 1e-4);
  ref.check("ce_loss", l.at("ce_loss"), 1e-5, 1e-4);
  ref.check("vq_loss", l.at("vq_loss"), 1e-6, 1e-4);
  l.at("total_loss").backward();
  ref.check("grad_codebook", model.vq->embedding->weight.grad(), 1e-6, 1e-4);
  ref.finish();
}

TEST_CASE("homework 3's MaskedConv2d on random inputs matches the reference solution", "[hw3][hw3.4][reference]") {
  ReferenceCase ref("hw3.4_masked_conv");
  manual_seed(304);
  for (char type : {'A', 'B'}) {
    const std::string name(1, type);
    vq::MaskedConv2d conv(type, 3, 5, 5);
    ref.check(name + ".mask", conv.create_mask(type), 0, 0);  // before the stored buffers replace the mask
    ref.parameters(conv, name);
    Tensor x = ref.input(name + ".x", [] { return randn({2, 3, 7, 7}); });
    ref.check(name + ".y", conv.forward(x), 1e-5, 1e-4);
  }
  ref.finish();
}

TEST_CASE("the code PixelCNN's logits and loss on random codes match the reference solution",
          "[hw3][hw3.5][reference]") {
  ReferenceCase ref("hw3.5_code_pixelcnn");
  manual_seed(305);
  vq::PixelCNN prior(16, {7, 7}, 8, 5, 2);
  ref.parameters(prior);
  Tensor x = ref.input("codes", [] { return randint(0, 16, {3, 1, 7, 7}, kInt64).to(kFloat32); });
  ref.check("logits", prior.forward(x), 1e-5, 1e-4);
  ref.check("loss", prior.loss(x).at("loss"), 1e-5, 1e-4);
  ref.finish();
}
