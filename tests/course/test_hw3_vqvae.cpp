// Homework 3, VQ-VAE and its PixelCNN prior (task 2), first tier: the course's
// unit tests (shapes of the quantizer, the model and the masks) and checks
// that can fail: the nearest code against a hand-worked codebook and a brute
// force search, the VQ loss and its gradients by hand (straight-through, the
// codebook and commitment terms), the cross-entropies against hand
// log-softmax sums, the sampler's frequencies and the prior's causality. The
// second tier is test_hw3_vqvae_reference.cpp.
#include <cmath>

#include "../helpers.h"
#include "models/vqvae/code_prior.h"
#include "models/vqvae/masked_conv.h"
#include "models/vqvae/vqvae.h"
#include "nn/functional/conv.h"
#include "reference.h"

using namespace dgm;
using dgm::test::check_values;
namespace vq = dgm::models::vqvae;

namespace {

// The hand-worked quantizer: K = 3 codes in R^2, e0 = (0,0), e1 = (1,0), e2 = (0,2), beta = 0.25.
std::shared_ptr<vq::VectorQuantizer> hand_quantizer() {
  auto q = std::make_shared<vq::VectorQuantizer>(3, 2, 0.25);
  NoGradGuard no_grad;
  q->embedding->weight.copy_(tensor(std::vector<float>{0, 0, 1, 0, 0, 2}, {3, 2}));
  return q;
}

// x (1,2,2,2): the positions (h,w) hold (0.9,0.1), (0.1,1.2), (-0.3,0.2), (0.6,0.9).
Tensor hand_x() { return tensor(std::vector<float>{0.9f, 0.1f, -0.3f, 0.6f, 0.1f, 1.2f, 0.2f, 0.9f}, {1, 2, 2, 2}); }

// -mean over (b, h, w) of log softmax(logits[b,:,h,w])[target], in double: the cross-entropy by hand.
double hand_cross_entropy(const Tensor& logits, const Tensor& target) {
  const int64_t B = logits.size(0), C = logits.size(1), P = logits.numel() / (B * C);
  std::vector<double> l = logits.contiguous().to_vector<double>(), t = target.to(kFloat64).to_vector<double>();
  double total = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t p = 0; p < P; ++p) {
      double m = -INFINITY, s = 0;
      for (int64_t c = 0; c < C; ++c) m = std::max(m, l[(b * C + c) * P + p]);
      for (int64_t c = 0; c < C; ++c) s += std::exp(l[(b * C + c) * P + p] - m);
      const auto k = static_cast<int64_t>(t[b * P + p]);
      total += -(l[(b * C + k) * P + p] - m - std::log(s));
    }
  return total / static_cast<double>(B * P);
}

}  // namespace

TEST_CASE("VectorQuantizer on the course's zero input: indices (1,7,7), quantized (1,16,7,7), a scalar loss",
          "[hw3][hw3.1]") {
  manual_seed(31);
  vq::VectorQuantizer q(128, 16, 0.25);
  Tensor x = zeros({1, 16, 7, 7});
  Tensor indices = q.get_code_indices(x);
  REQUIRE(indices.shape() == Shape{1, 7, 7});
  REQUIRE(indices.dtype() == kInt64);
  auto [quantized, loss] = q.forward_with_loss(x);
  REQUIRE(quantized.shape() == Shape{1, 16, 7, 7});
  REQUIRE(loss.dim() == 0);
  CHECK(std::isfinite(loss.item()));
}

TEST_CASE("get_code_indices picks the hand-worked nearest codes", "[hw3][hw3.1]") {
  auto q = hand_quantizer();
  // squared distances to (e0, e1, e2): (0,0): .82 .02 4.42 -> 1; (0,1): 1.45 2.25 .65 -> 2;
  // (1,0): .13 1.73 3.33 -> 0; (1,1): 1.17 .97 1.57 -> 1
  check_values(q->get_code_indices(hand_x()), {1, 2, 0, 1}, 0, 0);
}

TEST_CASE("get_code_indices agrees with a brute-force search on random inputs", "[hw3][hw3.1]") {
  manual_seed(32);
  vq::VectorQuantizer q(10, 3, 0.25);
  {
    NoGradGuard no_grad;
    q.embedding->weight.copy_(test::uniform_values({10, 3}, -1, 1, 5).to(kFloat32));
  }
  Tensor x = test::uniform_values({2, 3, 3, 4}, -1.2, 1.2, 6).to(kFloat32);
  std::vector<double> xs = x.to_vector<double>(), e = q.embedding->weight.to_vector<double>();
  std::vector<double> expected;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t p = 0; p < 12; ++p) {
      int64_t best = 0;
      double best_d = INFINITY;
      for (int64_t k = 0; k < 10; ++k) {
        double d = 0;
        for (int64_t c = 0; c < 3; ++c) d += std::pow(xs[(b * 3 + c) * 12 + p] - e[k * 3 + c], 2);
        if (d < best_d) best_d = d, best = k;
      }
      expected.push_back(static_cast<double>(best));
    }
  Tensor indices = q.get_code_indices(x);
  REQUIRE(indices.shape() == Shape{2, 3, 4});
  check_values(indices, expected, 0, 0);
}

TEST_CASE("get_quantized looks the codes up and puts D in the channel dimension", "[hw3][hw3.1]") {
  auto q = hand_quantizer();
  Tensor indices = tensor(std::vector<int64_t>{1, 2, 0, 1}, {1, 2, 2});
  Tensor quantized = q->get_quantized(indices);
  REQUIRE(quantized.shape() == Shape{1, 2, 2, 2});
  // channel 0 holds the first coordinates (1, 0, 0, 1), channel 1 the second (0, 2, 0, 0)
  check_values(quantized, {1, 0, 0, 1, 0, 2, 0, 0}, 0, 0);
}

TEST_CASE("the VQ loss is (1 + beta) mse(z_q, z_e) at the forward, by hand", "[hw3][hw3.1]") {
  auto q = hand_quantizer();
  auto [quantized, loss] = q->forward_with_loss(hand_x());
  // (z_q - z_e)^2 = .01 .01 .09 .16 | .01 .64 .04 .81, sum 1.77, mean 0.22125; times 1.25
  CHECK(loss.item() == Approx(1.25 * 0.22125).epsilon(1e-6));
  // the forward value of the straight-through output is z_q
  check_values(quantized, {1, 0, 0, 1, 0, 2, 0, 0}, 1e-6, 0);
}

TEST_CASE("gradients: straight-through to z_e, the codebook only from its term, z_e from the commitment",
          "[hw3][hw3.1]") {
  auto q = hand_quantizer();
  Tensor x = hand_x().requires_grad_();
  auto [quantized, loss] = q->forward_with_loss(x);
  Tensor w = test::uniform_values({1, 2, 2, 2}, 0.5, 1.5, 9).to(kFloat32);
  ((quantized * w).sum() + loss).backward();
  // d/dz_e = w (straight-through) + beta * 2 (z_e - z_q) / 8 (commitment) = w + 0.0625 (x - q)
  std::vector<double> xs = hand_x().to_vector<double>(), ws = w.to_vector<double>();
  std::vector<double> qs{1, 0, 0, 1, 0, 2, 0, 0}, dx;
  for (size_t i = 0; i < 8; ++i) dx.push_back(ws[i] + 0.0625 * (xs[i] - qs[i]));
  check_values(x.grad(), dx, 1e-6, 1e-5);
  // d/de_k = 2 (e_k - z_e) / 8 summed over the positions using k (codebook term; the straight-through part
  // gives the codebook nothing): e0 <- (1,0): (0.3,-0.2)/4; e1 <- (0,0),(1,1): (0.5,-1.0)/4; e2 <- (0,1): (-0.1,0.8)/4
  check_values(q->embedding->weight.grad(), {0.075, -0.05, 0.125, -0.25, -0.025, 0.2}, 1e-6, 1e-5);
}

TEST_CASE("ConvEncoder maps 28x28 images to 7x7 codes, ConvDecoder the codes to 2-class logits", "[hw3][hw3.2]") {
  manual_seed(33);
  vq::ConvEncoder encoder(16);
  vq::ConvDecoder decoder(16);
  Tensor z = encoder.forward(zeros({3, 1, 28, 28}));
  REQUIRE(z.shape() == Shape{3, 16, 7, 7});
  Tensor logits = decoder.forward(randn({10, 16, 7, 7}));
  REQUIRE(logits.shape() == Shape{10, 2, 28, 28});
  // each output position depends on the input: a gradient reaches every pixel of a random image
  Tensor x = rand({1, 1, 28, 28}).requires_grad_();
  encoder.forward(x).sum().backward();
  CHECK(x.grad().abs().gt(0.0).to(kFloat32).sum().item() > 0.9 * 784);
}

TEST_CASE("VQVAEModel gives the course's shapes: indices, prior, decoder, sample", "[hw3][hw3.3]") {
  manual_seed(34);
  vq::VQVAEModel model(1.0, 16, 128);
  Tensor x = bernoulli({2, 1, 28, 28}, 0.5);
  Tensor indices = model.get_indices(x);
  REQUIRE(indices.shape() == Shape{2, 7, 7});
  Tensor z = model.prior(10);
  REQUIRE(z.shape() == Shape{10, 16, 7, 7});
  Tensor logits = model.decoder->forward(z);
  REQUIRE(logits.shape() == Shape{10, 2, 28, 28});
  Tensor samples = model.sample(10);
  REQUIRE(samples.shape() == Shape{10, 1, 28, 28});
  for (double v : samples.to_vector<double>()) CHECK((v == 0 || v == 1));
}

TEST_CASE("VQVAEModel's losses: total = ce_loss_scale * CE + vq_loss, CE by hand", "[hw3][hw3.3]") {
  manual_seed(35);
  vq::VQVAEModel model(2.5, 4, 8, {7, 7}, 4);
  Tensor x = bernoulli({3, 1, 28, 28}, 0.3);
  auto [decoded, vq_loss] = model.forward_with_loss(x);
  REQUIRE(decoded.shape() == Shape{3, 2, 28, 28});
  REQUIRE(vq_loss.dim() == 0);
  models::Losses l = model.course_loss(x, decoded, vq_loss);
  const double ce = hand_cross_entropy(decoded, x.select(1, 0));
  CHECK(l.at("ce_loss").item() == Approx(ce).epsilon(1e-5));
  CHECK(l.at("vq_loss").item() == Approx(vq_loss.item()).epsilon(1e-6));
  CHECK(l.at("total_loss").item() == Approx(2.5 * ce + vq_loss.item()).epsilon(1e-5));
  // loss() adds the logged keys: perplexity within [1, K], pixel_error within [0, 1]
  models::Losses all = model.loss(x);
  CHECK(all.at("perplexity").item() >= 1.0);
  CHECK(all.at("perplexity").item() <= 8.0 + 1e-4);
  CHECK(all.at("pixel_error").item() >= 0.0);
  CHECK(all.at("pixel_error").item() <= 1.0);
}

TEST_CASE("VQVAEModel's prior draws codebook rows; sample_from_logits draws the softmax's frequencies",
          "[hw3][hw3.3]") {
  manual_seed(36);
  vq::VQVAEModel model(1.0, 4, 8, {7, 7}, 4);
  Generator gen(7);
  Tensor z = model.prior(20, &gen).permute({0, 2, 3, 1}).reshape({-1, 4});  // (980, 4)
  Tensor e = model.vq->embedding->weight.detach();
  // every drawn vector is a codebook row, and every one of the 8 codes is drawn (980 uniform draws)
  Tensor match = (z.unsqueeze(1) - e.unsqueeze(0)).abs().amax({2}).eq(0.0);  // (980, 8)
  CHECK(match.to(kFloat32).sum({1}).eq(1.0).all().item() == 1);
  CHECK(match.to(kFloat32).sum({0}).gt(0.0).all().item() == 1);
  // logits (0, log 3) give P(on) = 3/4 in every pixel: frequency over 40 x 784 draws
  Tensor logits = cat({zeros({40, 1, 28, 28}), full({40, 1, 28, 28}, std::log(3.0))}, 1);
  Tensor pixels = model.sample_from_logits(logits, &gen);
  REQUIRE(pixels.shape() == Shape{40, 1, 28, 28});
  course::check_frequency("P(on)", pixels.mean().item(), 0.75, pixels.numel());
  // a decisive logit always wins
  Tensor sure = cat({full({2, 1, 3, 3}, 40.0), full({2, 1, 3, 3}, -40.0)}, 1);
  CHECK(model.sample_from_logits(sure, &gen).sum().item() == 0);
}

TEST_CASE("MaskedConv2d masks of kernel 5: type A centre 0, type B centre 1", "[hw3][hw3.4]") {
  vq::MaskedConv2d a('A', 2, 3, 5), b('B', 2, 3, 5);
  REQUIRE(a.mask.shape() == Shape{3, 2, 5, 5});
  REQUIRE(b.mask.shape() == Shape{3, 2, 5, 5});
  CHECK(a.mask.index({0, 0, 2, 2}).item() == 0);
  CHECK(b.mask.index({0, 0, 2, 2}).item() == 1);
  // every (out, in) plane: two full rows above, then the centre row left of (A) / up to (B) the centre
  std::vector<double> plane_a{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<double> plane_b = plane_a;
  plane_b[12] = 1;
  std::vector<double> all_a, all_b;
  for (int i = 0; i < 6; ++i) {
    all_a.insert(all_a.end(), plane_a.begin(), plane_a.end());
    all_b.insert(all_b.end(), plane_b.begin(), plane_b.end());
  }
  check_values(a.mask, all_a, 0, 0);
  check_values(b.mask, all_b, 0, 0);
}

TEST_CASE("MaskedConv2d forward is conv2d with weight * mask, padding kernel/2", "[hw3][hw3.4]") {
  manual_seed(37);
  for (char type : {'A', 'B'}) {
    vq::MaskedConv2d conv(type, 3, 4, 5);
    Tensor x = randn({2, 3, 6, 7});
    Tensor y = conv.forward(x);
    REQUIRE(y.shape() == Shape{2, 4, 6, 7});
    // the mask written out here, independently: rows above the centre, and the centre row up to the centre
    Tensor m = zeros({1, 1, 5, 5});
    m.narrow(2, 0, 2).fill_(1.0);
    m.narrow(2, 2, 1).narrow(3, 0, type == 'A' ? 2 : 3).fill_(1.0);
    Tensor expected = nn::functional::conv2d(x, conv.weight.detach() * m, conv.bias.detach(), 1, 2);
    check_values(y, expected.to_vector<double>(), 1e-5, 1e-5);
  }
}

TEST_CASE("the code PixelCNN: logits (B,K,1,H,W), loss = CE by hand, sampled codes in range", "[hw3][hw3.5]") {
  manual_seed(38);
  vq::PixelCNN prior(6, {4, 5}, 8, 3, 2);
  Tensor x = randint(0, 6, {3, 1, 4, 5}, kInt64).to(kFloat32);
  Tensor logits = prior.forward(x);
  REQUIRE(logits.shape() == Shape{3, 6, 1, 4, 5});
  Tensor loss = prior.loss(x).at("loss");
  REQUIRE(loss.dim() == 0);
  CHECK(loss.item() == Approx(hand_cross_entropy(logits, x)).epsilon(1e-5));
  // the course's model
  vq::PixelCNN course_prior(128, {7, 7}, 32, 5, 5);
  REQUIRE(course_prior.forward(zeros({2, 1, 7, 7})).shape() == Shape{2, 128, 1, 7, 7});
  Tensor s = prior.sample(4);
  REQUIRE(s.shape() == Shape{4, 1, 4, 5});
  for (double v : s.to_vector<double>()) CHECK((v >= 0 && v <= 5 && v == std::round(v)));
}

TEST_CASE("the code PixelCNN is causal: the logits at a position ignore that code and every later one",
          "[hw3][hw3.5]") {
  manual_seed(39);
  vq::PixelCNN prior(5, {4, 4}, 8, 3, 2);
  Tensor x = randint(0, 5, {1, 1, 4, 4}, kInt64).to(kFloat32);
  Tensor base = prior.forward(x);
  // the code at raster position r of a map, and the logits (K) at position r
  auto code = [](const Tensor& m, int64_t r) { return m.index({0, 0, r / 4, r % 4}); };
  auto logits_at = [](const Tensor& l, int64_t r) { return l.select(2, 0).select(2, r / 4).select(2, r % 4); };
  auto bump = [&](Tensor& m, int64_t r) { code(m, r).fill_(std::fmod(code(x, r).item() + 1, 5)); };
  for (int64_t p = 0; p < 16; ++p) {
    INFO("position " << p);
    Tensor later = x.clone();
    for (int64_t r = p; r < 16; ++r) bump(later, r);  // change the codes at raster positions >= p
    check_values(logits_at(prior.forward(later), p), logits_at(base, p).to_vector<double>(), 0, 0);
    if (p > 0) {  // the left neighbour (at column 0: the code above) does matter
      Tensor earlier = x.clone();
      bump(earlier, p % 4 == 0 ? p - 4 : p - 1);
      CHECK((logits_at(prior.forward(earlier), p) - logits_at(base, p)).abs().sum().item() > 0);
    }
  }
}
