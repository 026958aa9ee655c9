// The given pieces of the homework 5 task 3 UNet: the sinusoidal table with the course's positive exponent (hand
// values), the embeddings (the padding row, the label shift, the initialization), AttnBlock against attention
// written out with loops in double, and the UNet's layout (block counts, skip channels, what changes the output).
#include <cmath>
#include <vector>

#include "../../helpers.h"
#include "models/diffusion/unet.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;

namespace {

Tensor steps(std::vector<int64_t> t) { return tensor(t); }

}  // namespace

TEST_CASE("sinusoidal_table: [sin, cos] interleaved with the course's positive exponent", "[unet]") {
  // dim_in = 4: w = exp([0, 2] / 4 log 10000) = [1, 100] (a negative exponent would give [1, 0.01])
  const Tensor table = diffusion::sinusoidal_table(3, 4);
  REQUIRE(table.shape() == Shape{3, 4});
  REQUIRE(table.dtype() == kFloat32);
  test::check_values(table.narrow(0, 0, 1), {0, 1, 0, 1}, 1e-7);
  test::check_values(table.narrow(0, 1, 1), {std::sin(1.0), std::cos(1.0), std::sin(100.0), std::cos(100.0)}, 1e-4);
  test::check_values(table.narrow(0, 2, 1), {std::sin(2.0), std::cos(2.0), std::sin(200.0), std::cos(200.0)}, 2e-4);
  CHECK_THROWS_WITH(diffusion::sinusoidal_table(3, 5), Catch::Contains("even dim_in"));
}

TEST_CASE("TimeEmbedding: a frozen table, xavier-normal Linear weights and zero biases", "[unet]") {
  manual_seed(0);
  diffusion::TimeEmbedding emb(10, 32, 128);
  for (const auto& [name, p] : emb.named_parameters()) CHECK(name.rfind("linear", 0) == 0);  // no trainable table
  CHECK(emb.state_dict().size() == 4);  // the table is derived, not saved
  CHECK(emb.linear1->bias.abs().max().item() == 0);
  CHECK(emb.linear2->bias.abs().max().item() == 0);
  // xavier normal: std sqrt(2 / (fan_in + fan_out)) = sqrt(2 / 256) for linear2 (128 x 128); with 16384 draws the
  // sample std's relative standard error is 1 / sqrt(2 * 16384) = 0.55%, so 3% is over 5 standard errors
  const double sd = std::sqrt(emb.linear2->weight.pow(2.0).mean().item());
  CHECK(sd == Approx(std::sqrt(2.0 / 256)).epsilon(0.03));
  // forward = linear2(swish(linear1(table[t])))
  const Tensor t = steps({3, 0});
  const Tensor h = emb.linear1->forward(emb.table.index_select(0, t));
  const Tensor expected = emb.linear2->forward(h * h.sigmoid());
  CHECK(emb.forward(t).sub(expected).abs().max().item() < 1e-6);
  CHECK_THROWS_WITH(emb.forward(steps({10})), Catch::Contains("TimeEmbedding") && Catch::Contains("[0, 10)"));
}

TEST_CASE("ConditionalEmbedding: row 0 is the empty (padding) class, label y uses row y + 1", "[unet]") {
  manual_seed(1);
  diffusion::ConditionalEmbedding emb(10, 32, 64);
  REQUIRE(emb.embedding->weight.shape() == Shape{11, 32});
  CHECK(emb.embedding->weight.narrow(0, 0, 1).abs().max().item() == 0);
  // label 0 -> row 1
  const Tensor row1 = emb.embedding->weight.narrow(0, 1, 1);
  const Tensor h = emb.linear1->forward(row1);
  const Tensor expected = emb.linear2->forward(h * h.sigmoid());
  CHECK(emb.forward(steps({0})).sub(expected).abs().max().item() < 1e-6);
  // -1 -> row 0 = zeros, so linear2(swish(bias1))
  const Tensor b = emb.linear1->bias.unsqueeze(0);
  CHECK(emb.forward(steps({-1})).sub(emb.linear2->forward(b * b.sigmoid())).abs().max().item() < 1e-6);
  CHECK_THROWS_WITH(emb.forward(steps({10})), Catch::Contains("ConditionalEmbedding"));
}

TEST_CASE("AttnBlock equals single-head attention written out in double", "[unet]") {
  manual_seed(2);
  const int64_t C = 32, H = 2, W = 3, N = H * W;
  diffusion::AttnBlock block(C);
  const Tensor x = test::uniform_values({1, C, H, W}, -2, 2, 5).to(kFloat32);
  const Tensor out = block.forward(x);
  REQUIRE(out.shape() == x.shape());
  // the reference: h = group_norm(x) by dgm (tested elsewhere), then 1x1 convs, softmax and proj by loops
  const std::vector<double> h = block.group_norm->forward(x).to_vector<double>();
  auto conv1x1 = [&](const nn::Conv2d& conv, const std::vector<double>& in) {
    const std::vector<double> w = conv.weight.to_vector<double>(), b = conv.bias.to_vector<double>();
    std::vector<double> o(static_cast<size_t>(C * N));
    for (int64_t co = 0; co < C; ++co)
      for (int64_t p = 0; p < N; ++p) {
        double s = b[static_cast<size_t>(co)];
        for (int64_t ci = 0; ci < C; ++ci)
          s += w[static_cast<size_t>(co * C + ci)] * in[static_cast<size_t>(ci * N + p)];
        o[static_cast<size_t>(co * N + p)] = s;
      }
    return o;
  };
  const auto q = conv1x1(*block.proj_q, h), k = conv1x1(*block.proj_k, h), v = conv1x1(*block.proj_v, h);
  std::vector<double> att(static_cast<size_t>(C * N));
  for (int64_t i = 0; i < N; ++i) {
    std::vector<double> w(static_cast<size_t>(N));
    double mx = -1e300, z = 0;
    for (int64_t j = 0; j < N; ++j) {
      double s = 0;
      for (int64_t c = 0; c < C; ++c) s += q[static_cast<size_t>(c * N + i)] * k[static_cast<size_t>(c * N + j)];
      w[static_cast<size_t>(j)] = s / std::sqrt(static_cast<double>(C));
      mx = std::max(mx, w[static_cast<size_t>(j)]);
    }
    for (double& e : w) z += (e = std::exp(e - mx));
    for (int64_t c = 0; c < C; ++c) {
      double s = 0;
      for (int64_t j = 0; j < N; ++j) s += w[static_cast<size_t>(j)] / z * v[static_cast<size_t>(c * N + j)];
      att[static_cast<size_t>(c * N + i)] = s;
    }
  }
  std::vector<double> expected = conv1x1(*block.proj, att);
  const std::vector<double> xs = x.to_vector<double>();
  for (size_t i = 0; i < expected.size(); ++i) expected[i] += xs[i];
  test::check_values(out, expected, 1e-5, 1e-5);
  CHECK_THROWS_WITH(diffusion::AttnBlock(48), Catch::Contains("multiple of 32"));
}

TEST_CASE("UNet: the course's layout, skip channels and what changes the output", "[unet]") {
  manual_seed(3);
  diffusion::UNet unet(100, 10, 32, {1, 2}, 1, 0.0);
  // down: ResBlock(32 -> 32, attn), Downsample(32), ResBlock(32 -> 64, attn); middle: 2 ResBlocks (64)
  // up, level 1: ResBlock(64 + 64 -> 64), ResBlock(32 + 64 -> 64), Upsample(64); level 0: ResBlock(32 + 64 -> 32),
  // ResBlock(32 + 32 -> 32)
  REQUIRE(unet.downblocks->named_children().size() == 3);
  REQUIRE(unet.upblocks->named_children().size() == 5);
  std::vector<std::pair<int64_t, int64_t>> up_channels;
  for (const auto& [name, m] : unet.upblocks->named_children())
    if (auto* r = dynamic_cast<diffusion::ResBlock*>(m.get()))
      up_channels.emplace_back(r->in_channels, r->out_channels);
  CHECK(up_channels == std::vector<std::pair<int64_t, int64_t>>{{128, 64}, {96, 64}, {96, 32}, {64, 32}});
  for (const auto& [name, m] : unet.downblocks->named_children())
    if (auto* r = dynamic_cast<diffusion::ResBlock*>(m.get())) CHECK(r->attn != nullptr);
  CHECK(dynamic_cast<diffusion::ResBlock&>(*unet.middleblocks->named_children()[0].second).attn != nullptr);
  CHECK(dynamic_cast<diffusion::ResBlock&>(*unet.middleblocks->named_children()[1].second).attn == nullptr);

  unet.eval();
  const Tensor x = test::uniform_values({2, 1, 8, 8}, -1, 1, 9).to(kFloat32);
  const Tensor none = unet.forward(x, steps({5, 5}));
  REQUIRE(none.shape() == x.shape());
  // y = -1 (empty) is y = none; another t or a label changes the output
  CHECK(unet.forward(x, steps({5, 5}), steps({-1, -1})).sub(none).abs().max().item() == 0);
  CHECK(unet.forward(x, steps({6, 6})).sub(none).abs().max().item() > 1e-6);
  const Tensor labelled = unet.forward(x, steps({5, 5}), steps({3, -1}));
  CHECK(labelled.narrow(0, 0, 1).sub(none.narrow(0, 0, 1)).abs().max().item() > 1e-6);
  CHECK(labelled.narrow(0, 1, 1).sub(none.narrow(0, 1, 1)).abs().max().item() == 0);

  diffusion::UNet uncond(100, 0, 32, {1, 2}, 1, 0.0);
  CHECK(uncond.cond_embedding == nullptr);
  CHECK_THROWS_WITH(uncond.forward(x, steps({1, 1}), steps({1, 1})), Catch::Contains("class embedding"));
  CHECK_THROWS_WITH(unet.forward(test::uniform_values({2, 1, 7, 8}).to(kFloat32), steps({1, 1})),
                    Catch::Contains("divisible by 2"));
  CHECK_THROWS_WITH(diffusion::UNet(100, 10, 48, {1, 2}), Catch::Contains("multiple of 32"));
  // attn_from_level = 1: the full-resolution level has no attention
  diffusion::UNet quick(100, 0, 32, {1, 2}, 1, 0.0, 1);
  CHECK(dynamic_cast<diffusion::ResBlock&>(*quick.downblocks->named_children()[0].second).attn == nullptr);
  CHECK(dynamic_cast<diffusion::ResBlock&>(*quick.downblocks->named_children()[2].second).attn != nullptr);
}

TEST_CASE("UNet: the tail's GroupNorm removes a per-channel mean with one channel a group, not with four", "[unet]") {
  manual_seed(4);
  diffusion::UNet course(100, 0, 32, {1, 2}, 1, 0.0);
  diffusion::UNet fewer(100, 0, 32, {1, 2}, 1, 0.0, 0, 8);
  CHECK(course.tail_norm_groups == 32);
  CHECK_THAT(course.extra_repr(), Catch::Contains("tail_norm_groups=32"));
  CHECK_THAT(fewer.extra_repr(), Catch::Contains("tail_norm_groups=8"));
  // h: the activations before the tail; shift: a constant for each channel (a mean the shortcuts carried there)
  const Tensor h = test::uniform_values({2, 32, 8, 8}, -2, 2, 5).to(kFloat32);
  const Tensor shift = test::uniform_values({1, 32, 1, 1}, -1, 1, 6).to(kFloat32);
  // GroupNorm(32, 32) subtracts each channel's own mean: the shift is gone (float32 rounding remains)
  CHECK(course.tail->forward(h + shift).sub(course.tail->forward(h)).abs().max().item() < 1e-5);
  // GroupNorm(8, 32) subtracts the mean of 4 channels: their differences pass
  CHECK(fewer.tail->forward(h + shift).sub(fewer.tail->forward(h)).abs().max().item() > 1e-2);
  CHECK_THROWS_WITH(diffusion::UNet(100, 0, 32, {1, 2}, 1, 0.0, 0, 5),
                    Catch::Contains("tail_norm_groups must divide") && Catch::Contains("5 groups for 32 channels"));
}
