// The ViT coupling of the autumn-2025 homework 2: the patch rearrange against
// hand-built examples, attention in closed form, the zero-initialized
// conditioner (identity coupling), the kept half passing unchanged, and the
// errors for shapes that do not fit. (Round trips and log|det J| by autograd:
// the generic test of test_flow_layers.cpp, cases in vit_cases.cpp.)
#include <catch2/catch.hpp>
#include <cmath>

#include "../../helpers.h"
#include "dgm.h"
#include "models/flows/vit_coupling.h"

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

double max_abs(const Tensor& t) { return t.abs().max().item(); }

}  // namespace

TEST_CASE("patchify: b c (h p1) (w p2) -> b (h w) (p1 p2 c), by hand on 1x4x4 and 2x2x2", "[vit]") {
  // x[0,0] = 0..15 row by row; patch (i,j) of 2x2 is token 2i+j, its pixels row by row
  Tensor x = arange(16.0, kFloat64).view({1, 1, 4, 4});
  Tensor t = patchify(x, {2, 2});
  REQUIRE(t.shape() == Shape{1, 4, 4});
  test::check_values(t, {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}, 0, 0);
  // two channels: c0 = 0..3, c1 = 4..7; one token, features (a, b, c) with c fastest
  Tensor y = arange(8.0, kFloat64).view({1, 2, 2, 2});
  test::check_values(patchify(y, {2, 2}), {0, 4, 1, 5, 2, 6, 3, 7}, 0, 0);
  // unpatchify is its inverse, on a non-square image with non-square patches
  Tensor z = test::uniform_values({2, 3, 4, 6});
  Tensor tokens = patchify(z, {2, 3});
  REQUIRE(tokens.shape() == Shape{2, 4, 18});
  CHECK(max_abs(unpatchify(tokens, {4, 6}, {2, 3}, 3) - z) == 0);
  test::check_values(unpatchify(t, {4, 4}, {2, 2}, 1), x.flatten().to_vector<double>(), 0, 0);
}

TEST_CASE("ViTAttention of a single token is to_out(v) (softmax of one score is 1)", "[vit]") {
  ViTAttention attn(3, 2, 2);  // inner 4
  attn.to(kFloat64);
  Tensor x = test::uniform_values({2, 1, 3});
  Tensor out = attn.forward(x);
  REQUIRE(out.shape() == Shape{2, 1, 3});
  // v = x W_v^T with W_v the last 4 rows of to_qkv's weight; out = v W_o^T + b_o, by hand
  auto* to_out = dynamic_cast<nn::Linear*>(attn.to_out.get());
  REQUIRE(to_out != nullptr);
  std::vector<double> wqkv = attn.to_qkv->weight.to_vector<double>();  // (12, 3)
  std::vector<double> wo = to_out->weight.to_vector<double>();         // (3, 4)
  std::vector<double> bo = to_out->bias.to_vector<double>();
  std::vector<double> xv = x.to_vector<double>();
  std::vector<double> expected;
  for (int b = 0; b < 2; ++b) {
    double v[4];
    for (int i = 0; i < 4; ++i) {
      v[i] = 0;
      for (int k = 0; k < 3; ++k) v[i] += xv[b * 3 + k] * wqkv[(8 + i) * 3 + k];
    }
    for (int o = 0; o < 3; ++o) {
      double s = bo[o];
      for (int i = 0; i < 4; ++i) s += v[i] * wo[o * 4 + i];
      expected.push_back(s);
    }
  }
  test::check_values(out, expected, 1e-12, 1e-12);
}

TEST_CASE("ViTAttention with one head of width dim: to_out is the identity; two tokens by hand", "[vit]") {
  ViTAttention attn(2, 1, 2);
  attn.to(kFloat64);
  REQUIRE(attn.to_out->name() == "Identity");
  Tensor x = test::uniform_values({1, 2, 2}, -1, 1, 5);
  std::vector<double> w = attn.to_qkv->weight.to_vector<double>();  // (6, 2): rows q0 q1 k0 k1 v0 v1
  std::vector<double> xv = x.to_vector<double>();
  auto proj = [&](int row, int n) { return w[row * 2] * xv[n * 2] + w[row * 2 + 1] * xv[n * 2 + 1]; };
  std::vector<double> expected;
  for (int n = 0; n < 2; ++n) {
    // scores q_n . k_m / sqrt(2), softmax over m, then sum_m a_m v_m
    double s[2];
    for (int m = 0; m < 2; ++m) s[m] = (proj(0, n) * proj(2, m) + proj(1, n) * proj(3, m)) / std::sqrt(2.0);
    const double e0 = std::exp(s[0]), e1 = std::exp(s[1]);
    const double a0 = e0 / (e0 + e1), a1 = e1 / (e0 + e1);
    for (int d = 0; d < 2; ++d) expected.push_back(a0 * proj(4 + d, 0) + a1 * proj(4 + d, 1));
  }
  test::check_values(attn.forward(x), expected, 1e-12, 1e-12);
}

TEST_CASE("ViTEncoder: tokens (B, N, dim); the course's sizes on 32x32", "[vit]") {
  ViTEncoder enc({32, 32}, {8, 8}, 128, 2, 4, 256, 1);
  CHECK(enc.num_patches() == 16);
  CHECK(enc.pos_embedding.shape() == Shape{1, 16, 128});
  CHECK(enc.patch_embedding->in_features == 64);
  CHECK(enc.blocks.size() == 2);
  CHECK(enc.blocks[0]->attn->to_qkv->out_features == 3 * 4 * 64);
  Tensor out = enc.forward(randn({2, 1, 32, 32}));
  CHECK(out.shape() == Shape{2, 16, 128});
}

TEST_CASE("a fresh ViT coupling is the identity with log-det 0 (zero last layer)", "[vit]") {
  for (bool parity : {true, false}) {
    ViTAffineCheckerboardCoupling layer(parity, tiny_config());
    layer.to(kFloat64);
    Tensor x = test::uniform_values({3, 1, 4, 4}, -2, 2);
    FlowOutput f = layer.flow(x);
    CHECK(max_abs(f.z - x) == 0);
    REQUIRE(f.log_det.shape() == x.shape());
    CHECK(max_abs(f.log_det) == 0);
    FlowOutput g = layer.inverse(x);
    CHECK(max_abs(g.z - x) == 0);
    CHECK(max_abs(g.log_det) == 0);
  }
}

TEST_CASE("ViT coupling: the kept half passes unchanged, the other half moves, log-det 0 on the kept half", "[vit]") {
  for (bool parity : {true, false}) {
    ViTAffineCheckerboardCoupling layer(parity, tiny_config());
    Generator gen(3);
    layer.conditioner->to_pixels->reset_parameters(&gen);
    {
      NoGradGuard no_grad;
      layer.scale.fill_(0.5);
      layer.scale_shift.fill_(0.1);
    }
    layer.to(kFloat64);
    Tensor x = test::uniform_values({2, 1, 4, 4}, -2, 2, 9);
    Tensor mask = layer.mask;
    REQUIRE(mask.shape() == Shape{1, 1, 4, 4});
    REQUIRE(mask.flatten().to_vector<double>()[0] == (parity ? 1.0 : 0.0));  // parity: 1 at the top-left
    FlowOutput f = layer.flow(x);
    CHECK(max_abs((f.z - x) * mask) == 0);
    CHECK(max_abs(f.log_det * mask) == 0);
    CHECK(max_abs((f.z - x) * (1.0 - mask)) > 1e-3);
    // on the transformed half, log-det = s with |s - 0.1| <= 0.5 (scale * tanh + shift)
    CHECK(max_abs((f.log_det - 0.1) * (1.0 - mask)) <= 0.5);
    FlowOutput back = layer.inverse(f.z);
    CHECK(max_abs(back.z - x) < 1e-12);
  }
}

TEST_CASE("ViT coupling and encoder: shapes that do not fit are refused", "[vit]") {
  REQUIRE_THROWS_WITH(ViTEncoder({30, 32}, {8, 8}, 16, 1, 2, 16, 1),
                      Catch::Contains("ViTEncoder: image_shape (30,32) is not divisible by patch_shape (8,8)"));
  REQUIRE_THROWS_WITH(ViTEncoder({32, 32}, {0, 8}, 16, 1, 2, 16, 1),
                      Catch::Contains("ViTEncoder: patch_shape must be positive, got (0,8)"));
  REQUIRE_THROWS_WITH(ViTEncoder({32, 32}, {8, 8}, 16, 1, 0, 16, 1), Catch::Contains("heads 0"));
  REQUIRE_THROWS_WITH(patchify(zeros({1, 1, 5, 4}), {2, 2}),
                      Catch::Contains("patchify: image_shape (5,4) is not divisible by patch_shape (2,2)"));
  REQUIRE_THROWS_WITH(patchify(zeros({4, 4}), {2, 2}),
                      Catch::Contains("patchify: expected images (B,C,H,W), got (4,4)"));
  REQUIRE_THROWS_WITH(unpatchify(zeros({1, 4, 3}), {4, 4}, {2, 2}, 1),
                      Catch::Contains("unpatchify: expected tokens (B, 4, 4)"));
  ViTEncoder enc({4, 4}, {2, 2}, 8, 1, 2, 16, 1, 4);
  REQUIRE_THROWS_WITH(enc.forward(zeros({1, 1, 8, 8})),
                      Catch::Contains("ViTEncoder: expected images (B, 1, 4, 4), got (1,1,8,8)"));
  ViTAffineCheckerboardCoupling layer(true, tiny_config());
  REQUIRE_THROWS_WITH(layer.flow(zeros({2, 3, 4, 4})),
                      Catch::Contains("ViTAffineCheckerboardCoupling: expected (B, 1, 4, 4), got (2,3,4,4)"));
}
