// Homework 2, the ResNet VAE (task 3), first tier: the course's shape tests (ResNetBlock, ResNetTransposeBlock,
// encoder, decoder, the VAE's loss keys and samples) and checks that can fail: every block against a hand
// composition of its own parameters with plain tensor ops (batch norm, "same" padding and nearest upsampling
// written out here), float64 gradchecks, and the loss against get_normal_nll / get_normal_KL (hw2.6, hw2.7) on
// the model's own encoder and decoder outputs with a fixed eps. The second tier is
// test_hw2_resnet_vae_reference.cpp.
#include <cmath>

#include "../helpers.h"
#include "models/vae/normal.h"
#include "models/vae/resnet_vae.h"

using namespace dgm;
using namespace dgm::models;
using namespace dgm::models::vae;
using dgm::test::wsum;

namespace {

// Training-mode batch norm by hand: per channel over (N, H, W), biased variance, eps 1e-5.
Tensor bn_by_hand(const Tensor& x, const nn::BatchNorm2d& bn) {
  Tensor m = mean(x, {0, 2, 3}, true);
  Tensor v = mean((x - m).square(), {0, 2, 3}, true);
  const int64_t c = x.size(1);
  return (x - m) / sqrt(v + 1e-5) * bn.weight.view({1, c, 1, 1}) + bn.bias.view({1, c, 1, 1});
}

Tensor conv_by_hand(const Tensor& x, const nn::Conv2d& conv, int64_t stride, int64_t before, int64_t after) {
  return conv2d(pad(x, {before, after, before, after}), conv.weight, conv.bias, stride, 0);
}

// Nearest upsampling by s: each pixel repeated in an s x s square.
Tensor upsample_by_hand(const Tensor& x, int64_t s) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({b, c, h, 1, w, 1}).expand({b, c, h, s, w, s}).reshape({b, c, h * s, w * s});
}

// The batch norms start at weight 1 and bias 0: random affine parameters make the hand checks see them.
void randomize_batch_norms(nn::Module& m) {
  NoGradGuard no_grad;
  for (auto& [name, p] : m.named_parameters())
    if (name.find("bn") != std::string::npos) p.uniform_(0.5, 1.5);
}

}  // namespace

// The course's test: input (5,64,128,128), out in {64,128}, k in {3,5,7}, stride in {1,2,4} gives
// [5, out, 128/stride, 128/stride]. At 128x128 the 18 combinations take minutes on one CPU core, so the
// course's exact input runs for two of them, and all 18 run on a 16x16 input (the same arithmetic of sizes).
TEST_CASE("ResNetBlock keeps the course's shapes: (5,64,128,128) -> [5, out, 128/stride, 128/stride]", "[hw2][hw2.8]") {
  manual_seed(8);
  NoGradGuard no_grad;
  for (auto [out, k, stride] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{128, 3, 2}, {64, 7, 4}}) {
    ResNetBlock block(64, out, k, stride);
    CHECK(block.forward(randn({5, 64, 128, 128})).shape() == Shape{5, out, 128 / stride, 128 / stride});
  }
  Tensor x = randn({5, 64, 16, 16});
  for (int64_t out : {64, 128})
    for (int64_t k : {3, 5, 7})
      for (int64_t stride : {1, 2, 4}) {
        INFO("out " << out << ", k " << k << ", stride " << stride);
        ResNetBlock block(64, out, k, stride);
        CHECK(block.forward(x).shape() == Shape{5, out, 16 / stride, 16 / stride});
      }
}

TEST_CASE("ResNetBlock is elu(skip(x) + conv2(bn2(elu(conv1(bn1(x)))))), the last elu only with final_relu",
          "[hw2][hw2.8]") {
  manual_seed(81);
  for (bool final_relu : {true, false}) {
    INFO("final_relu " << final_relu);
    ResNetBlock block(3, 4, 5, 2, final_relu);
    randomize_batch_norms(block);
    REQUIRE(block.named_parameters().size() == 10);  // bn1, conv1, bn2, conv2, skip: weight and bias each
    Tensor x = randn({3, 3, 9, 7});
    Tensor got = block.forward(x);
    // conv1: k x k, stride 2, padding 2 on each side; conv2: "same" (2 and 2); skip: 1x1, stride 2.
    Tensor h = conv_by_hand(bn_by_hand(x, *block.bn1), *block.conv1, 2, 2, 2);
    h = conv_by_hand(bn_by_hand(elu(h), *block.bn2), *block.conv2, 1, 2, 2);
    Tensor want = conv_by_hand(x, *block.skip, 2, 0, 0) + h;
    if (final_relu) want = elu(want);
    REQUIRE(got.shape() == Shape{3, 4, 5, 4});
    CHECK((got - want).abs().max().item() < 1e-5);
    if (!final_relu) CHECK(got.min().item() < -1.0);  // without the final elu some outputs lie below elu's -1
  }
}

TEST_CASE("ResNetBlock's gradient passes a float64 gradcheck", "[hw2][hw2.8]") {
  manual_seed(82);
  ResNetBlock block(2, 3, 3, 2);
  block.to(kFloat64);
  randomize_batch_norms(block);
  Tensor x = dgm::test::leaf({3, 2, 5, 5}, -1, 1, 3);
  REQUIRE_GRADCHECK([&](const std::vector<Tensor>& in) { return wsum(block.forward(in[0])); }, {x});
}

// The course's test: input (5,64,64,64), k in {4,6,8}, stride in {2,4} gives 64 * stride. The course's exact
// input runs for k = 4, stride 2 (the others take minutes on one CPU core); all 6 run on an 8x8 input.
TEST_CASE("ResNetTransposeBlock keeps the course's shapes: (5,64,64,64) -> [5, out, 64 stride, 64 stride]",
          "[hw2][hw2.9]") {
  manual_seed(9);
  NoGradGuard no_grad;
  ResNetTransposeBlock big(64, 32, 4, 2);
  CHECK(big.forward(randn({5, 64, 64, 64})).shape() == Shape{5, 32, 128, 128});
  Tensor x = randn({5, 64, 8, 8});
  for (int64_t k : {4, 6, 8})
    for (int64_t stride : {2, 4}) {
      INFO("k " << k << ", stride " << stride);
      ResNetTransposeBlock block(64, 64, k, stride);
      CHECK(block.forward(x).shape() == Shape{5, 64, 8 * stride, 8 * stride});
    }
}

TEST_CASE("ResNetTransposeBlock is conv(bn2(f)) + f with f = upconv(upsample(bn1(x))) and same convs", "[hw2][hw2.9]") {
  manual_seed(91);
  for (int64_t k : {3, 4}) {
    INFO("kernel " << k);
    ResNetTransposeBlock block(3, 2, k, 2);
    randomize_batch_norms(block);
    REQUIRE(block.named_parameters().size() == 8);  // bn1, upconv, bn2, conv: weight and bias each
    Tensor x = randn({2, 3, 4, 5});
    // PyTorch's padding="same": (k - 1) / 2 before, the rest after.
    const int64_t before = (k - 1) / 2, after = k - 1 - before;
    Tensor f = conv_by_hand(upsample_by_hand(bn_by_hand(x, *block.bn1), 2), *block.upconv, 1, before, after);
    Tensor want = conv_by_hand(bn_by_hand(f, *block.bn2), *block.conv, 1, before, after) + f;
    Tensor got = block.forward(x);
    REQUIRE(got.shape() == Shape{2, 2, 8, 10});
    CHECK((got - want).abs().max().item() < 1e-5);
  }
}

TEST_CASE("ResNetTransposeBlock's gradient passes a float64 gradcheck", "[hw2][hw2.9]") {
  manual_seed(92);
  ResNetTransposeBlock block(2, 2, 4, 2);
  block.to(kFloat64);
  randomize_batch_norms(block);
  Tensor x = dgm::test::leaf({2, 2, 3, 3}, -1, 1, 4);
  REQUIRE_GRADCHECK([&](const std::vector<Tensor>& in) { return wsum(block.forward(in[0])); }, {x});
}

TEST_CASE("the course's encoder and decoder shapes: (3,32,32), n_latent 10 -> [4,10] twice and [4,3,32,32]",
          "[hw2][hw2.10]") {
  manual_seed(10);
  ConvResNetEncoder encoder({3, 32, 32}, 10);
  auto [mu, log_std] = encoder.encode(randn({4, 3, 32, 32}));
  CHECK(mu.shape() == Shape{4, 10});
  CHECK(log_std.shape() == Shape{4, 10});
  ConvResNetDecoder decoder(10, {3, 32, 32});
  CHECK(decoder.forward(randn({4, 10})).shape() == Shape{4, 3, 32, 32});
  // MNIST's 28x28 with two stride-2 blocks: 28 -> 14 -> 7.
  ConvResNetEncoder mnist_encoder({1, 28, 28}, 6, {8, 16});
  CHECK(mnist_encoder.encode(randn({2, 1, 28, 28})).first.shape() == Shape{2, 6});
  ConvResNetDecoder mnist_decoder(6, {1, 28, 28}, {8, 16});
  CHECK(mnist_decoder.forward(randn({2, 6})).shape() == Shape{2, 1, 28, 28});
}

TEST_CASE("the encoder is blocks, flatten, linear; the decoder linear, reshape, transposed blocks, elu, conv",
          "[hw2][hw2.10]") {
  manual_seed(101);
  ConvResNetEncoder encoder({2, 8, 8}, 3, {4, 5});
  REQUIRE(encoder.blocks.size() == 2);
  Tensor x = randn({3, 2, 8, 8});
  auto [mu, log_std] = encoder.encode(x);
  // By hand from the encoder's own blocks (hw2.8 is tested above): the first 3 outputs of the linear are mu.
  Tensor h = encoder.blocks[1]->forward(encoder.blocks[0]->forward(x)).flatten(1);
  REQUIRE(h.size(1) == 5 * 2 * 2);
  Tensor stats = matmul(h, encoder.fc->weight.t()) + encoder.fc->bias;
  CHECK((mu - stats.narrow(1, 0, 3)).abs().max().item() < 1e-5);
  CHECK((log_std - stats.narrow(1, 3, 3)).abs().max().item() < 1e-5);

  ConvResNetDecoder decoder(3, {2, 8, 8}, {4, 5});
  REQUIRE(decoder.blocks.size() == 2);
  CHECK(decoder.blocks[0]->in_channels == 5);
  CHECK(decoder.blocks[0]->out_channels == 4);
  CHECK(decoder.blocks[1]->out_channels == 4);
  Tensor z = randn({3, 3});
  Tensor g = (matmul(z, decoder.fc->weight.t()) + decoder.fc->bias).view({3, 5, 2, 2});
  g = elu(decoder.blocks[1]->forward(decoder.blocks[0]->forward(g)));
  Tensor want = conv2d(pad(g, {1, 1, 1, 1}), decoder.out_conv->weight, decoder.out_conv->bias);
  CHECK((decoder.forward(z) - want).abs().max().item() < 1e-5);
}

TEST_CASE("the VAE's loss has the course's keys and is recon + beta KL of get_normal_nll and get_normal_KL",
          "[hw2][hw2.11]") {
  manual_seed(11);
  for (double beta : {1.0, 0.25}) {
    INFO("beta " << beta);
    ConvResNetVAE model({1, 8, 8}, 4, beta, {4, 8});
    Tensor x = rand({5, 1, 8, 8}) * 2.0 - 1.0;
    Tensor eps = randn({5, 4});
    Losses losses = model.loss(x, eps);
    REQUIRE(losses.size() == 3);
    REQUIRE(losses.count("elbo_loss"));
    REQUIRE(losses.count("recon_loss"));
    REQUIRE(losses.count("kl_loss"));
    // By hand, on the model's own encoder and decoder (training mode, the same batch: the same batch norms).
    auto [mu, log_std] = model.encoder->encode(x);
    Tensor mu_x = model.decoder->forward(mu + exp(log_std) * eps);
    const double recon = get_normal_nll(x, mu_x, zeros_like(x)).sum().item<double>() / 5;
    const double kl = get_normal_KL(mu, log_std).sum().item<double>() / 5;
    CHECK(losses.at("recon_loss").item<double>() == Approx(recon).epsilon(1e-5));
    CHECK(losses.at("kl_loss").item<double>() == Approx(kl).epsilon(1e-5));
    CHECK(losses.at("elbo_loss").item<double>() == Approx(recon + beta * kl).epsilon(1e-5));
    // The reparametrization carries the gradient to the encoder.
    losses.at("elbo_loss").backward();
    CHECK(model.encoder->fc->weight.grad().abs().max().item() > 0);
  }
}

TEST_CASE("the VAE's forward reparametrizes z = mu + exp(log_std) eps, its prior is N(0, I)", "[hw2][hw2.11]") {
  manual_seed(111);
  ConvResNetVAE model({1, 8, 8}, 3, 1.0, {4, 8});
  model.eval();  // running statistics: the decoder's output of one z does not depend on the batch
  Tensor x = rand({4, 1, 8, 8}) * 2.0 - 1.0;
  Tensor eps = randn({4, 3});
  VAEOutput out = model.forward(x, eps);
  auto [mu, log_std] = model.encoder->encode(x);
  CHECK((out.mu_z - mu).abs().max().item() < 1e-6);
  CHECK((out.log_std_z - log_std).abs().max().item() < 1e-6);
  CHECK((out.x_recon - model.decoder->forward(mu + exp(log_std) * eps)).abs().max().item() < 1e-5);
  CHECK(model.forward(x, Tensor()).x_recon.shape() == Shape{4, 1, 8, 8});  // eps drawn from the prior
  // The prior's draws: (n, n_latent) with mean 0 and variance 1 (20000 draws: 5 standard errors).
  Tensor z = model.prior(20000);
  REQUIRE(z.shape() == Shape{20000, 3});
  CHECK(std::fabs(z.mean().item<double>()) < 5 / std::sqrt(60000.0));
  CHECK(std::fabs(z.square().mean().item<double>() - 1) < 5 * std::sqrt(2 / 60000.0));
}

TEST_CASE("the VAE's samples are clamp(decoded prior draws, -1, 1) * 0.5 + 0.5, in [0, 1]", "[hw2][hw2.11]") {
  manual_seed(112);
  ConvResNetVAE model({3, 32, 32}, 10);
  model.eval();
  {  // scale the decoder's output up so that the clamp matters
    NoGradGuard no_grad;
    model.decoder->out_conv->weight.mul_(20.0);
  }
  Generator a(5), b(5);
  Tensor s = model.sample(16, SampleOptions(&a));
  REQUIRE(s.shape() == Shape{16, 3, 32, 32});
  CHECK(s.min().item() >= 0);
  CHECK(s.max().item() <= 1);
  CHECK(s.min().item() == 0);  // some decoder outputs were below -1
  CHECK(s.max().item() == 1);
  Tensor z = model.prior(16, &b);
  Tensor want = clamp(model.decoder->forward(z), -1.0, 1.0) * 0.5 + 0.5;
  CHECK((s - want).abs().max().item() < 1e-6);
}
