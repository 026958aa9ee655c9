// RealNVP with ViT couplings (autumn-2025 homework 2): log p(x) of a fresh
// model (identity couplings) against the logit transform and the ActNorm
// initializations computed by hand, the loss keys and units, samples, errors.
#include <catch2/catch.hpp>
#include <cmath>

#include "../../helpers.h"
#include "dgm.h"
#include "models/flows/realnvp_vit.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

ViTConfig tiny_config() {
  ViTConfig c;
  c.image_shape = {4, 4};
  c.patch_shape = {2, 2};
  c.dim = 8;
  c.depth = 1;
  c.heads = 2;
  c.mlp_dim = 16;
  c.n_channels = 1;
  c.dim_head = 4;
  return c;
}

}  // namespace

TEST_CASE("RealNVPViT: a fresh model's log p(x) is the logit transform's and the ActNorms' by hand", "[vit]") {
  const int64_t couplings = 3, nbins = 2, B = 2, D = 16;
  RealNVPViT model(tiny_config(), couplings, nbins);
  model.to(kFloat64);
  Tensor x = test::uniform_values({B, 1, 4, 4}, 0, 1, 11).gt(0.5).to(kFloat64);
  Tensor u = test::uniform_values({B, 1, 4, 4}, 0, 1, 12);
  Tensor got = model.log_prob(x, u);
  REQUIRE(got.shape() == Shape{B});

  // By hand: y = (x (nbins-1) + u) / nbins, x_s = a + (1-2a) y, v = logit(x_s),
  // log-det -log x_s - log(1-x_s) + log(1-2a); the couplings are the identity;
  // each ActNorm, initialized on what reaches it, maps v -> v / std - mean
  // (mean and unbiased std over the whole batch: one channel), log-det -log std.
  const double a = 0.05;
  std::vector<double> xv = x.to_vector<double>(), uv = u.to_vector<double>(), v(B * D), ld(B * D);
  for (int64_t i = 0; i < B * D; ++i) {
    const double y = (xv[i] * (nbins - 1) + uv[i]) / nbins, xs = a + (1 - 2 * a) * y;
    v[i] = std::log(xs) - std::log(1 - xs);
    ld[i] = -std::log(xs) - std::log(1 - xs) + std::log(1 - 2 * a);
  }
  for (int64_t k = 0; k < couplings; ++k) {
    double mean = 0, var = 0;
    for (double e : v) mean += e;
    mean /= B * D;
    for (double e : v) var += (e - mean) * (e - mean);
    const double sd = std::sqrt(var / (B * D - 1));
    for (int64_t i = 0; i < B * D; ++i) {
      v[i] = v[i] / sd - mean;
      ld[i] -= std::log(sd);
    }
  }
  std::vector<double> expected(B, 0.0);
  for (int64_t i = 0; i < B * D; ++i) expected[i / D] += -0.5 * v[i] * v[i] - 0.5 * std::log(2 * M_PI) + ld[i];
  test::check_values(got, expected, 1e-9, 1e-9);
}

TEST_CASE("RealNVPViT: nll_loss and bits_per_dim; samples are binary images; the inverse undoes the forward", "[vit]") {
  RealNVPViT model(tiny_config(), 2, 2);
  model.to(kFloat64);
  Tensor x = test::uniform_values({4, 1, 4, 4}, 0, 1, 3).gt(0.5).to(kFloat64);
  models::Losses l = model.loss(x);
  REQUIRE(l.count("nll_loss") == 1);
  REQUIRE(l.count("bits_per_dim") == 1);
  const double nll = l["nll_loss"].item(), bpd = l["bits_per_dim"].item();
  CHECK(std::fabs(bpd - (nll + 16 * std::log(2.0)) / (16 * std::log(2.0))) < 1e-9);

  Generator gen(5);
  Tensor s = model.sample(6, &gen);
  REQUIRE(s.shape() == Shape{6, 1, 4, 4});
  for (double e : s.to_vector<double>()) CHECK((e == 0.0 || e == 1.0));

  // With the dequantization noise fixed, the inverse maps z back to the dequantized y
  Tensor u = test::uniform_values({4, 1, 4, 4}, 0, 1, 4);
  FlowOutput f = model.forward(x, false, u);
  FlowOutput back = model.forward(f.z, true);
  Tensor y = (x + u) / 2.0;
  CHECK((back.z - y).abs().max().item() < 1e-9);
  CHECK((log_det_per_example(back.log_det) + log_det_per_example(f.log_det)).abs().max().item() < 1e-9);
}

TEST_CASE("RealNVPViT: bad settings and inputs are refused", "[vit]") {
  REQUIRE_THROWS_WITH(RealNVPViT(tiny_config(), 0, 2), Catch::Contains("RealNVPViT: n_couplings must be > 0, got 0"));
  REQUIRE_THROWS_WITH(RealNVPViT(tiny_config(), 2, 1), Catch::Contains("RealNVPViT: nbins must be >= 2, got 1"));
  ViTConfig odd = tiny_config();
  odd.image_shape = {5, 4};
  REQUIRE_THROWS_WITH(RealNVPViT(odd, 2, 2),
                      Catch::Contains("image_shape (5,4) is not divisible by patch_shape (2,2)"));
  RealNVPViT model(tiny_config(), 2, 2);
  REQUIRE_THROWS_WITH(model.loss(zeros({2, 1, 28, 28})),
                      Catch::Contains("RealNVPViT: expected (B,1,4,4), got (2,1,28,28)"));
}
