// Homework 5, the MNIST DDPM with classifier-free guidance (task 3: hw5.4 ResBlock, hw5.5 Downsample/Upsample,
// hw5.6 ConditionalDDPM): the notebook's UNet test (hidden 128, multipliers [1, 2, 4], input (2, 1, 32, 32): the
// output differs between t = 0 and t = 1), and checks that can fail: ResBlock against its formula written with the
// functional ops, resampling blocks with identity kernels against hand values (bilinear x2 of [0, 1] is
// [0, 0.25, 0.75, 1]), the loss against the closed form of x_t with the cosine schedule written out in double here,
// the guidance formula and the sampling loop with a stand-in noise predictor.
#include <cmath>
#include <vector>

#include "../helpers.h"
#include "models/diffusion/conditional_ddpm.h"

using namespace dgm;
using dgm::test::check_values;
namespace diffusion = dgm::models::diffusion;

namespace {

Tensor ints(std::vector<int64_t> v) { return tensor(v); }

// abar_t of the cosine schedule (s = 0.008, beta capped at 0.999), from the notebook's formula in double.
double abar_reference(int T, int t) {
  auto f = [T](double s) { return std::pow(std::cos(((s / T + 0.008) / 1.008) * M_PI / 2), 2); };
  double prod = 1;
  for (int k = 1; k <= t + 1; ++k) prod *= 1 - std::min(1 - f(k) / f(k - 1), 0.999);
  return prod;
}

// A conv of `channels` -> `channels` whose kernel passes each channel's centre tap through: the identity map.
void identity_kernel(nn::Conv2d& conv) {
  NoGradGuard no_grad;
  std::vector<float> w(static_cast<size_t>(conv.weight.numel()), 0.f);
  const int64_t C = conv.out_channels, k = conv.kernel_size.h;
  for (int64_t c = 0; c < C; ++c) w[static_cast<size_t>(((c * C + c) * k + k / 2) * k + k / 2)] = 1.f;
  conv.weight.copy_(tensor(w, conv.weight.shape()));
  conv.bias.zero_();
}

// eps(x, t, y) = 0.5 without a label, 2 + y with one; records the labels of every call.
class StandIn : public diffusion::ConditionalDDPM {
 public:
  using ConditionalDDPM::ConditionalDDPM;
  Tensor predict_eps(const Tensor& x, const Tensor& /*t*/, const Tensor& y) override {
    calls.push_back(y.defined());
    if (!y.defined()) return full_like(x, 0.5);
    return y.to(kFloat32).reshape({-1, 1, 1, 1}).expand(x.shape()) + 2.0;
  }
  std::vector<bool> calls;
};

std::shared_ptr<diffusion::UNet> small_unet(int64_t T, int64_t labels) {
  return std::make_shared<diffusion::UNet>(T, labels, 32, std::vector<int64_t>{1, 2}, 1, 0.0);
}

}  // namespace

TEST_CASE("hw5.4/hw5.5: the notebook's UNet (hidden 128, [1, 2, 4]) gives different eps for t = 0 and t = 1",
          "[hw5][hw5.4][hw5.5]") {
  manual_seed(0);
  diffusion::UNet unet(1000, 10, 128, {1, 2, 4});
  unet.eval();
  const Tensor x = randn({2, 1, 32, 32});
  const Tensor out0 = unet.forward(x, ints({0, 0}));
  const Tensor out1 = unet.forward(x, ints({1, 1}));
  REQUIRE(out0.shape() == Shape{2, 1, 32, 32});
  CHECK(std::isfinite(out0.sum().item()));
  CHECK(out0.sub(out1).abs().max().item() > 1e-6);
}

TEST_CASE("hw5.4: ResBlock equals its formula: block1, + temb and cemb projections, block2, + shortcut",
          "[hw5][hw5.4]") {
  manual_seed(1);
  diffusion::ResBlock block(32, 64, 16, 0.3);
  block.eval();  // dropout off
  REQUIRE(block.block1 != nullptr);
  REQUIRE(block.block2 != nullptr);
  REQUIRE(block.shortcut != nullptr);
  const Tensor x = test::uniform_values({2, 32, 4, 4}, -2, 2, 3).to(kFloat32);
  const Tensor temb = test::uniform_values({2, 16}, -1, 1, 4).to(kFloat32);
  const Tensor cemb = test::uniform_values({2, 16}, -1, 1, 5).to(kFloat32);
  const Tensor out = block.forward(x, temb, cemb);
  REQUIRE(out.shape() == Shape{2, 64, 4, 4});
  // the reference from the block's own layers, in the documented order
  auto& n1 = dynamic_cast<nn::GroupNorm&>(*block.block1->named_children()[0].second);
  auto& c1 = dynamic_cast<nn::Conv2d&>(*block.block1->named_children()[2].second);
  auto& n2 = dynamic_cast<nn::GroupNorm&>(*block.block2->named_children()[0].second);
  auto& c2 = dynamic_cast<nn::Conv2d&>(*block.block2->named_children()[3].second);
  CHECK(n1.num_groups == 32);
  CHECK(n2.num_groups == 32);
  auto swish = [](const Tensor& v) { return v * v.sigmoid(); };
  Tensor h = c1.forward(swish(n1.forward(x)));
  h = h + block.temb_proj->forward(temb).reshape({2, 64, 1, 1}) + block.cemb_proj->forward(cemb).reshape({2, 64, 1, 1});
  const Tensor expected = c2.forward(swish(n2.forward(h))) + block.shortcut->forward(x);
  CHECK(out.sub(expected).abs().max().item() < 1e-5);
  // the embeddings matter: another temb or cemb changes the output
  CHECK(block.forward(x, temb * 2.0, cemb).sub(out).abs().max().item() > 1e-4);
  CHECK(block.forward(x, temb, cemb * 2.0).sub(out).abs().max().item() > 1e-4);
  // dropout acts in training only
  block.train();
  manual_seed(2);
  const Tensor a = block.forward(x, temb, cemb);
  const Tensor b = block.forward(x, temb, cemb);
  CHECK(a.sub(b).abs().max().item() > 1e-4);
}

TEST_CASE("hw5.4: ResBlock keeps x on the shortcut when in == out and ends in its attention block", "[hw5][hw5.4]") {
  manual_seed(3);
  diffusion::ResBlock block(32, 32, 8, 0.0, true);
  REQUIRE(block.shortcut == nullptr);
  REQUIRE(block.attn != nullptr);
  // block2's last conv zeroed: out = attn(0 + x)
  auto& c2 = dynamic_cast<nn::Conv2d&>(*block.block2->named_children().back().second);
  {
    NoGradGuard no_grad;
    c2.weight.zero_();
    c2.bias.zero_();
  }
  const Tensor x = test::uniform_values({1, 32, 2, 2}, -1, 1, 6).to(kFloat32);
  const Tensor emb = test::uniform_values({1, 8}, -1, 1, 7).to(kFloat32);
  CHECK(block.forward(x, emb, emb).sub(block.attn->forward(x)).abs().max().item() < 1e-6);
}

TEST_CASE("hw5.5: DownsampleBlock halves H and W with a stride-2 3x3 conv", "[hw5][hw5.5]") {
  manual_seed(4);
  diffusion::DownsampleBlock down(32);
  REQUIRE(down.conv != nullptr);
  CHECK(down.conv->stride.h == 2);
  const Tensor x = test::uniform_values({2, 32, 8, 6}, -1, 1, 8).to(kFloat32);
  REQUIRE(down.forward(x).shape() == Shape{2, 32, 4, 3});
  // an identity kernel picks x[:, :, ::2, ::2]
  identity_kernel(*down.conv);
  const Tensor expected = x.index({Slice(), Slice(), Slice(None, None, 2), Slice(None, None, 2)});
  CHECK(down.forward(x).sub(expected).abs().max().item() < 1e-6);
}

TEST_CASE("hw5.5: UpsampleBlock is a bilinear x2 upsample, then a 3x3 conv that keeps the size", "[hw5][hw5.5]") {
  manual_seed(5);
  diffusion::UpsampleBlock up(1);
  REQUIRE(up.conv != nullptr);
  REQUIRE(up.forward(zeros({2, 1, 3, 5})).shape() == Shape{2, 1, 6, 10});
  identity_kernel(*up.conv);
  // bilinear (align_corners = False) of [0, 1]: source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (to 1)
  const Tensor x = tensor(std::vector<float>{0.f, 1.f}, {1, 1, 1, 2});
  check_values(up.forward(x), {0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1}, 1e-6);
}

TEST_CASE("hw5.6: the loss is the MSE of eps at x_t = sqrt(abar_t)(2 x0 - 1) + sqrt(1 - abar_t) eps", "[hw5][hw5.6]") {
  manual_seed(6);
  const int T = 50;
  diffusion::ConditionalDDPM ddpm(T, small_unet(T, 10));
  ddpm.eval();
  const Tensor x0 = test::uniform_values({2, 1, 8, 8}, 0, 1, 9).to(kFloat32);
  const Tensor noise = test::uniform_values({2, 1, 8, 8}, -2, 2, 10).to(kFloat32);
  const Tensor t = ints({3, 40}), y = ints({7, 1});
  const Tensor loss = ddpm.loss(x0, y, t, noise);
  REQUIRE(loss.dim() == 0);
  std::vector<float> xt(128);
  const std::vector<float> x0v = x0.to_vector<float>(), nv = noise.to_vector<float>();
  for (int i = 0; i < 128; ++i) {
    const double a = abar_reference(T, i < 64 ? 3 : 40);
    xt[static_cast<size_t>(i)] = static_cast<float>(std::sqrt(a) * (2 * x0v[static_cast<size_t>(i)] - 1) +
                                                    std::sqrt(1 - a) * nv[static_cast<size_t>(i)]);
  }
  const Tensor eps = ddpm.model->forward(tensor(xt, {2, 1, 8, 8}), t, y);
  CHECK(loss.item() == Approx((eps - noise).pow(2.0).mean().item()).epsilon(1e-5));
  // the unconditional loss uses eps(x_t, t) without a label
  const Tensor eps_none = ddpm.model->forward(tensor(xt, {2, 1, 8, 8}), t);
  CHECK(ddpm.loss(x0, Tensor(), t, noise).item() == Approx((eps_none - noise).pow(2.0).mean().item()).epsilon(1e-5));
  // the drawing loss: a finite scalar that reaches the UNet's weights
  const models::Losses drawn = ddpm.loss(models::Batch(x0, y));
  REQUIRE(drawn.count("loss") == 1);
  CHECK(std::isfinite(drawn.at("loss").item()));
}

TEST_CASE("hw5.6: guided eps = g eps(x, y) + (1 - g) eps(x, empty), samples clamp(x / 2 + 1 / 2, 0, 1)",
          "[hw5][hw5.6]") {
  manual_seed(7);
  StandIn ddpm(20, small_unet(20, 10));
  const Tensor x = zeros({2, 1, 4, 4});
  // g = 3: 3 (2 + y) - 2 * 0.5 = 5 + 3 y
  const Tensor g3 = ddpm.guided_eps(x, ints({1, 1}), ints({0, 4}), 3.0);
  check_values(g3.narrow(0, 0, 1), std::vector<double>(16, 5.0), 1e-6);
  check_values(g3.narrow(0, 1, 1), std::vector<double>(16, 17.0), 1e-6);
  // g = 1: the conditional eps alone; no label: the unconditional one
  check_values(ddpm.guided_eps(x, ints({1, 1}), ints({2, 2}), 1.0), std::vector<double>(32, 4.0), 1e-6);
  check_values(ddpm.guided_eps(x, ints({1, 1}), Tensor(), 3.0), std::vector<double>(32, 0.5), 1e-6);
  // to_output
  check_values(ddpm.to_output(tensor(std::vector<float>{-3, -1, 0, 0.5, 1, 3})), {0, 0, 0.5, 0.75, 1, 1}, 1e-7);
  // sampling with labels asks for both predictions at every one of the 5 DDIM steps, and returns images in [0, 1]
  ddpm.calls.clear();
  models::SampleOptions options;
  options.labels = ints({3, 5});
  options.steps = 5;
  Generator gen(11);
  options.gen = &gen;
  const Tensor s = ddpm.sample(2, options);
  REQUIRE(s.shape() == Shape{2, 1, 32, 32});
  CHECK(s.min().item() >= 0);
  CHECK(s.max().item() <= 1);
  CHECK(std::count(ddpm.calls.begin(), ddpm.calls.end(), true) == 5);
  CHECK(std::count(ddpm.calls.begin(), ddpm.calls.end(), false) == 5);
}
