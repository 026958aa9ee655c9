// Layers of nn/modules against independent values. Unless a test says it is
// hand-derived, expected numbers come from PyTorch 1.13 (float64): the same
// layer built there, its parameters set to the same deterministic values
// (tests/helpers.h uniform_values re-implemented in Python: the i-th entry of
// named_parameters() gets uniform_values(shape, -0.5, 0.5, seed + i), see
// set_params below), the same inputs, outputs printed with 10 digits.
#include <cmath>
#include <limits>
#include <memory>

#include "nn/functional/masked_conv.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::uniform_values;

namespace {

constexpr double kAtol = 1e-8, kRtol = 1e-7;  // the references carry 10 significant digits

// Moves m to float64 and sets its i-th parameter to uniform_values(shape, -0.5, 0.5, seed + i).
void set_params(nn::Module& m, uint64_t seed) {
  m.to(kFloat64);
  NoGradGuard no_grad;
  uint64_t i = 0;
  for (auto& [name, p] : m.named_parameters()) {
    Tensor dst = p;
    dst.copy_(uniform_values(p.shape(), -0.5, 0.5, seed + i++));
  }
}

// gradcheck of sum(w * module(x)) w.r.t. x and every parameter (float64), for
// a fixed weighting w so that every output element matters.
void gradcheck_module(nn::Module& m, const Tensor& x, bool wrt_input = true) {
  std::vector<Tensor> inputs{wrt_input ? x.detach().requires_grad_() : x};
  for (const Tensor& p : m.parameters()) inputs.push_back(p);
  auto f = [&m](const std::vector<Tensor>& in) { return m.forward(in[0]); };
  REQUIRE_GRADCHECK(f, inputs);
}

}  // namespace

TEST_CASE("Linear matches PyTorch and passes gradcheck", "[layers]") {
  nn::Linear lin(3, 2);
  set_params(lin, 10);
  // torch: nn.Linear(3, 2) on uniform_values((2,3), seed=100)
  check_values(lin.forward(uniform_values({2, 3}, -1, 1, 100)),
               std::vector<double>{-0.5698278117, -0.00266587383, -0.01474561544, -0.3568926367}, kAtol, kRtol);
  gradcheck_module(lin, uniform_values({2, 3}, -1, 1, 7));
  REQUIRE_THROWS_WITH(lin.forward(ones({2, 4}, kFloat64)), Catch::Contains("linear"));
}

TEST_CASE("Flatten and Identity", "[layers]") {
  Tensor x = uniform_values({2, 3, 4});
  REQUIRE(nn::Flatten().forward(x).shape() == Shape{2, 12});
  REQUIRE(nn::Flatten(0).forward(x).shape() == Shape{24});
  REQUIRE(nn::Identity().forward(x).is_same(x));
}

TEST_CASE("Conv2d with stride, padding and groups matches PyTorch", "[layers]") {
  nn::Conv2d conv(4, 2, 3, /*stride=*/2, /*padding=*/1, /*dilation=*/1, /*groups=*/2);
  REQUIRE(conv.weight.shape() == Shape{2, 2, 3, 3});
  set_params(conv, 20);
  // torch: nn.Conv2d(4, 2, 3, stride=2, padding=1, groups=2) on uniform_values((1,4,5,5), seed=101)
  check_values(
      conv.forward(uniform_values({1, 4, 5, 5}, -1, 1, 101)),
      std::vector<double>{0.3231996039, 0.2402481734, 0.1176637463, 1.075166679, 0.5868526264, -0.4819765681,
                          0.8217784749, 0.2158263508, 0.2278025033, 0.1822106463, 0.1050938192, 0.2915974431,
                          -0.5900095437, 0.2881837273, 0.4158801342, 0.7332345054, -0.05899854395, -0.0005571652871},
      kAtol, kRtol);
  nn::Conv2d small(2, 2, {2, 1}, 1, {0, 1}, 1, 2);
  set_params(small, 3);
  gradcheck_module(small, uniform_values({1, 2, 3, 2}, -1, 1, 8));
}

TEST_CASE("ConvTranspose2d matches PyTorch", "[layers]") {
  nn::ConvTranspose2d convt(2, 2, {2, 3}, /*stride=*/2, /*padding=*/{0, 1}, /*output_padding=*/{1, 0},
                            /*groups=*/2);
  REQUIRE(convt.weight.shape() == Shape{2, 1, 2, 3});
  set_params(convt, 30);
  // torch: nn.ConvTranspose2d(2, 2, (2,3), stride=2, padding=(0,1), output_padding=(1,0), groups=2)
  // on uniform_values((1,2,2,2), seed=102)
  Tensor y = convt.forward(uniform_values({1, 2, 2, 2}, -1, 1, 102));
  REQUIRE(y.shape() == Shape{1, 2, 5, 3});
  check_values(y,
               std::vector<double>{0.3897039941, 0.2071233067,  0.6331113892, 0.3348139279, 0.4103478056, 0.4885742482,
                                   0.2638411961, 0.298093049,   0.1530345373, 0.2553064662, 0.1776935332, 0.1853099596,
                                   0.2406679205, 0.2406679205,  0.2406679205, 0.4979924182, 0.5367843668, 0.432476782,
                                   0.4428258604, 0.5040898129,  0.4390389613, 0.3040923925, 0.3301988152, 0.1982953977,
                                   0.4316181568, -0.1199636818, 0.4255029365, 0.4394415341, 0.4394415341, 0.4394415341},
               kAtol, kRtol);
  gradcheck_module(convt, uniform_values({1, 2, 2, 2}, -1, 1, 9));
}

TEST_CASE("MaskedConv2d: masks, values and gradients", "[layers]") {
  nn::MaskedConv2d a('A', 1, 2, 3), b('B', 1, 2, 3);
  REQUIRE(a.padding.h == 1);
  // Hand-derived: A keeps the 4 taps before the centre in raster order, B also the centre.
  check_values(a.mask.select(0, 0).select(0, 0), {1, 1, 1, 1, 0, 0, 0, 0, 0}, 0, 0);
  check_values(b.mask.select(0, 1).select(0, 0), {1, 1, 1, 1, 1, 0, 0, 0, 0}, 0, 0);
  REQUIRE(a.named_buffers()[0].first == "mask");
  set_params(a, 40);
  REQUIRE(a.mask.dtype() == kFloat64);
  // torch: nn.Conv2d(1, 2, 3, padding=1) with weight *= mask A, on uniform_values((1,1,3,3), seed=103)
  check_values(
      a.forward(uniform_values({1, 1, 3, 3}, -1, 1, 103)),
      std::vector<double>{0.3177547464, 0.02948074776, -0.01162728672, 0.3034431456, 0.7690023134, 0.2865660834,
                          0.1615595951, 0.428583382, -0.003269380903, -0.1301977525, -0.4431564178, -0.4877844996,
                          0.168117632, 0.6881244109, 0.08317923144, -0.3029559083, -0.3589910184, -0.5155463258},
      kAtol, kRtol);
  // Masked weights get no gradient.
  a.forward(uniform_values({1, 1, 3, 3})).sum().backward();
  check_values(a.weight.grad().select(0, 0).select(0, 0).flatten().slice(0, 4), {0, 0, 0, 0, 0}, 0, 0);
  set_params(b, 4);
  gradcheck_module(b, uniform_values({1, 1, 3, 3}, -1, 1, 10));
  REQUIRE_THROWS_WITH(nn::MaskedConv2d('C', 1, 1, 3), Catch::Contains("'A' or 'B'"));
  REQUIRE(nn::to_string(b) == "MaskedConv2d('B', 1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
}

TEST_CASE("MaskedConv2d receptive field is causal in raster order", "[layers]") {
  // d out[i, j] / d x: for type A nonzero only strictly before (i, j) in raster
  // order, for type B also at (i, j); through two stacked layers (A then B) the
  // result stays strictly causal. Inputs are positive so no gradient cancels by chance.
  const int64_t H = 5, W = 5;
  for (char type : {'A', 'B'}) {
    auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::MaskedConv2d>(type, 2, 3, 3),
                                                std::make_shared<nn::MaskedConv2d>('B', 3, 2, 5));
    set_params(*net, 50);
    for (Tensor p : net->parameters()) {
      NoGradGuard g;
      p.copy_(p.abs() + 0.1);
    }
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j) {
        Tensor x = uniform_values({1, 2, H, W}, 0.5, 1, 11).requires_grad_();
        Tensor out = net->forward(x).index({0, 1, i, j});
        Tensor g = autograd::grad({out}, {x})[0];
        std::vector<double> gv = g.sum({0, 1}).to_vector<double>();
        for (int64_t a = 0; a < H; ++a)
          for (int64_t b = 0; b < W; ++b) {
            const int64_t before = a * W + b - (i * W + j);  // < 0: earlier in raster order
            const bool allowed = before < 0 || (type == 'B' && before == 0);
            INFO("type " << type << ", output (" << i << "," << j << "), input (" << a << "," << b << ")");
            if (allowed) {
              // Within the 5x5 window of the second layer nothing earlier is cut off except by the borders.
              if (std::abs(a - i) <= 1 && std::abs(b - j) <= 1) REQUIRE(gv[a * W + b] != 0.0);
            } else {
              REQUIRE(gv[a * W + b] == 0.0);
            }
          }
      }
  }
}

TEST_CASE("MaskedConv2d on the CPU skips the masked taps and gives conv2d(x, weight * mask)", "[layers]") {
  // functional::masked_conv2d's split (the rows above + the centre row) against the definition,
  // values and the gradients of x, weight and bias, on awkward shapes.
  struct Case {
    char type;
    int64_t in, out, groups;
    Int2 kernel;
    Shape x;
  };
  for (const Case& c : {Case{'A', 1, 4, 1, 7, {2, 1, 9, 8}}, Case{'B', 6, 4, 2, 7, {3, 6, 5, 11}},
                        Case{'A', 3, 2, 1, Int2(5, 3), {1, 3, 2, 2}}, Case{'B', 2, 3, 1, Int2(3, 5), {2, 2, 7, 3}},
                        Case{'B', 2, 2, 1, Int2(1, 3), {1, 2, 4, 4}}}) {
    INFO("type " << c.type << ", kernel (" << c.kernel.h << "," << c.kernel.w << "), x " << shape_str(c.x));
    nn::MaskedConv2d conv(c.type, c.in, c.out, c.kernel, 1, std::nullopt, 1, c.groups);
    set_params(conv, 60);
    Tensor x0 = uniform_values(c.x, -1, 1, 13);
    REQUIRE(nn::functional::masked_conv2d_splits_by_rows(x0, conv.weight, c.type, 1, conv.padding, 1) ==
            (c.kernel.h > 1));
    auto run = [&](bool by_rows) {
      conv.zero_grad();
      Tensor x = x0.detach().clone().requires_grad_();
      Tensor y = by_rows ? conv.forward(x)
                         : nn::functional::conv2d(x, conv.weight * conv.mask, conv.bias, 1, conv.padding, 1, c.groups);
      test::wsum(y).backward();
      return std::vector<Tensor>{y.detach(), x.grad(), conv.weight.grad().clone(), conv.bias.grad().clone()};
    };
    std::vector<Tensor> got = run(true), want = run(false);
    for (size_t k = 0; k < got.size(); ++k) {
      REQUIRE(got[k].shape() == want[k].shape());
      check_values(got[k], want[k].to_vector<double>(), 1e-12, 1e-12);
    }
  }
  // Not split: a one-pixel-high input, and stride 2 (where the mask is not causal anyway).
  nn::MaskedConv2d b('B', 1, 1, 3);
  CHECK_FALSE(nn::functional::masked_conv2d_splits_by_rows(zeros({1, 1, 1, 5}), b.weight, 'B', 1, 1, 1));
  nn::MaskedConv2d strided('B', 1, 1, 3, 2);
  CHECK_FALSE(nn::functional::masked_conv2d_splits_by_rows(zeros({1, 1, 5, 5}), strided.weight, 'B', 2, 1, 1));
  REQUIRE_THROWS_WITH(nn::functional::masked_conv2d(zeros({1, 1, 5, 5}), b.weight, zeros({1, 1, 2, 2}), 'B'),
                      Catch::Contains("masked_conv2d") && Catch::Contains("(1,1,2,2)"));
}

TEST_CASE("BatchNorm2d training, running statistics and evaluation match PyTorch", "[layers]") {
  nn::BatchNorm2d bn(3);
  set_params(bn, 50);
  // torch: nn.BatchNorm2d(3) on uniform_values((2,3,2,2), seed=104), then eval on seed 105
  check_values(
      bn.forward(uniform_values({2, 3, 2, 2}, -1, 1, 104)),
      std::vector<double>{0.3912173764,   0.4123721209, 0.3917622712,   0.4057584111,   0.106167174,    0.2715834941,
                          -0.03168196072, 0.4056464561, -0.0524884839,  -0.02804249677, -0.01030071683, -0.04091879404,
                          0.3688172768,   0.4019265501, 0.3849557141,   0.4019228573,   -0.05911864197, 0.6134688972,
                          0.646321519,    0.4489167493, -0.05872822229, -0.04507093641, -0.01355360963, -0.02911489087},
      kAtol, kRtol);
  check_values(bn.running_mean, std::vector<double>{-0.01379012303, -0.001726412123, -0.0169822261}, kAtol, kRtol);
  check_values(bn.running_var, std::vector<double>{0.9301633572, 0.9343228462, 0.9199330663}, kAtol, kRtol);
  REQUIRE(bn.num_batches_tracked.item<int64_t>() == 1);
  bn.eval();
  check_values(
      bn.forward(uniform_values({1, 3, 1, 2}, -1, 1, 105)),
      std::vector<double>{0.383688075, 0.4046873159, 0.2868806019, 0.3670877038, -0.02562519924, -0.04999136087}, kAtol,
      kRtol);
  REQUIRE(bn.num_batches_tracked.item<int64_t>() == 1);
  REQUIRE_THROWS_WITH(bn.forward(ones({2, 3}, kFloat64)), Catch::Contains("BatchNorm2d") && Catch::Contains("(2,3)"));
  REQUIRE_THROWS_WITH(bn.forward(ones({2, 4, 1, 1}, kFloat64)), Catch::Contains("expected 3 channels"));
  bn.train();
  gradcheck_module(bn, uniform_values({2, 3, 1, 2}, -1, 1, 12));
}

TEST_CASE("BatchNorm1d matches PyTorch; momentum nullopt is a cumulative average", "[layers]") {
  nn::BatchNorm1d bn(3);
  set_params(bn, 55);
  // torch: nn.BatchNorm1d(3) on uniform_values((4,3), seed=106)
  check_values(
      bn.forward(uniform_values({4, 3}, -1, 1, 106)),
      std::vector<double>{0.4276356542, -0.9139723731, -0.1128151846, 0.3937254994, -0.9269475808, -0.09628970604,
                          0.456222797, -0.306099547, 0.001047683037, 0.4559559901, 0.2083927712, -0.2981081315},
      kAtol, kRtol);
  REQUIRE(bn.forward(uniform_values({2, 3, 5})).shape() == Shape{2, 3, 5});
  // Hand-derived: with momentum=None the running mean after two batches is the mean of the two batch means.
  nn::BatchNorm1d cum(2, 1e-5, std::nullopt);
  cum.to(kFloat64);
  Tensor x1 = uniform_values({4, 2}, -1, 1, 1), x2 = uniform_values({4, 2}, -1, 1, 2);
  cum.forward(x1);
  cum.forward(x2);
  check_values(cum.running_mean, ((x1.mean({0}) + x2.mean({0})) / 2.0).to_vector<double>(), 1e-12, 1e-12);
  // track_running_stats=false: batch statistics in evaluation too, no buffers.
  nn::BatchNorm1d plain(2, 1e-5, 0.1, false, false);
  plain.eval();
  REQUIRE(plain.state_dict().empty());
  check_values(plain.forward(tensor(std::vector<double>{1, 2, 3, 6}, {2, 2})), {-1, -1, 1, 1}, 1e-4, 0);
}

TEST_CASE("LayerNorm, GroupNorm, InstanceNorm2d match PyTorch and pass gradcheck", "[layers]") {
  nn::LayerNorm ln(Shape{3});
  set_params(ln, 60);
  // torch: nn.LayerNorm(3) on uniform_values((2,3), seed=107)
  check_values(
      ln.forward(uniform_values({2, 3}, -1, 1, 107)),
      std::vector<double>{0.5535213463, 0.09712248689, -0.1988183496, 0.4657840239, 0.09743982153, -0.4721976932},
      kAtol, kRtol);
  gradcheck_module(ln, uniform_values({2, 3}, -1, 1, 13));

  nn::GroupNorm gn(2, 4);
  set_params(gn, 70);
  // torch: nn.GroupNorm(2, 4) on uniform_values((2,4,2,1), seed=108)
  check_values(
      gn.forward(uniform_values({2, 4, 2, 1}, -1, 1, 108)),
      std::vector<double>{-0.595933443, -0.5348853827, 0.1618990576, 0.3507278431, -0.09209917991, -0.4094421744,
                          -0.3467123766, 0.3651202836, -0.4647443944, -0.3346082055, 0.2635794479, -0.02739223813,
                          -0.4867707108, 0.2199434653, 0.04014597206, -0.1985246346},
      kAtol, kRtol);
  gradcheck_module(gn, uniform_values({1, 4, 2, 1}, -1, 1, 14));
  REQUIRE_THROWS_WITH(nn::GroupNorm(3, 4), Catch::Contains("divisible"));

  nn::InstanceNorm2d in(2, 1e-5, 0.1, /*affine=*/true, /*track_running_stats=*/true);
  set_params(in, 80);
  // torch: nn.InstanceNorm2d(2, affine=True, track_running_stats=True) on uniform_values((2,2,2,2), seed=109),
  // then eval on the same input
  Tensor x = uniform_values({2, 2, 2, 2}, -1, 1, 109);
  check_values(
      in.forward(x),
      std::vector<double>{-0.03694500887, -0.5412746691, -0.3267576393, -0.5906144834, -0.9429853445, -0.6392636121,
                          -0.3309084708, 0.2781378315, -0.5087677488, -0.1842145004, -0.1413948283, -0.6612147231,
                          0.2284640824, -0.8927339477, -0.1986523757, -0.772097355},
      kAtol, kRtol);
  check_values(in.running_mean, std::vector<double>{-0.00180889082, 0.02796673351}, kAtol, kRtol);
  check_values(in.running_var, std::vector<double>{0.9322690249, 0.947427969}, kAtol, kRtol);
  in.eval();
  check_values(
      in.forward(x),
      std::vector<double>{-0.3545139532, -0.4656574551, -0.4183824765, -0.476530898, -0.8440442004, -0.7067911536,
                          -0.567444251, -0.2922138287, -0.4189153822, -0.1962589586, -0.1668829623, -0.5235000636,
                          0.02260864273, -0.8063894857, -0.2931952874, -0.7171924778},
      kAtol, kRtol);
  // Unbatched input, and the default (no affine, no running stats): each (sample, channel) plane is standardized.
  nn::InstanceNorm2d plain(2);
  Tensor y = plain.forward(uniform_values({2, 3, 3}).to(kFloat32));
  REQUIRE(y.shape() == Shape{2, 3, 3});
  check_values(y.mean({1, 2}), {0, 0}, 1e-6, 0);
  in.train();
  gradcheck_module(in, uniform_values({1, 2, 2, 2}, -1, 1, 15));
}

TEST_CASE("Embedding: lookup, padding row, from_pretrained", "[layers]") {
  nn::Embedding emb(5, 3, /*padding_idx=*/1);
  set_params(emb, 0);
  Tensor idx = tensor(std::vector<int64_t>{0, 1, 4, 1}, {2, 2});
  Tensor y = emb.forward(idx);
  REQUIRE(y.shape() == Shape{2, 2, 3});
  // Hand-derived: rows of the weight.
  check_values(y.index({1, 0}), emb.weight.select(0, 4).to_vector<double>(), 0, 0);
  // The padding row gets no gradient.
  (y * uniform_values({2, 2, 3}, 1, 2, 3)).sum().backward();
  check_values(emb.weight.grad().select(0, 1), {0, 0, 0}, 0, 0);
  REQUIRE(emb.weight.grad().select(0, 4).abs().sum().item() > 0);
  // (The padding row's missing gradient is deliberate, so gradcheck an embedding without one.)
  nn::Embedding plain(5, 3);
  plain.to(kFloat64);
  gradcheck_module(plain, idx, /*wrt_input=*/false);
  REQUIRE_THROWS_WITH(nn::Embedding(5, 3, 5), Catch::Contains("padding_idx 5"));

  Tensor table = uniform_values({4, 2});
  auto frozen = nn::Embedding::from_pretrained(table);
  REQUIRE_FALSE(frozen->weight.requires_grad());
  REQUIRE(frozen->num_embeddings == 4);
  check_values(frozen->forward(tensor(std::vector<int64_t>{2})), table.select(0, 2).to_vector<double>(), 0, 0);
  auto trainable = nn::Embedding::from_pretrained(table, /*freeze=*/false, /*padding_idx=*/0);
  REQUIRE(trainable->weight.requires_grad());
  check_values(trainable->weight.select(0, 0), table.select(0, 0).to_vector<double>(), 0, 0);  // kept as given
}

TEST_CASE("Dropout module follows the training flag", "[layers]") {
  Generator gen(3);
  nn::Dropout drop(0.5, &gen);
  Tensor x = ones({1000});
  std::vector<float> v = drop.forward(x).to_vector<float>();
  int64_t zeros_count = 0;
  for (float e : v) zeros_count += e == 0.0f;
  REQUIRE(std::abs(zeros_count - 500) < 5 * 16);  // Binomial(1000, 0.5): sd 15.8
  drop.eval();
  REQUIRE(drop.forward(x).is_same(x));
  REQUIRE_THROWS_WITH(nn::Dropout(1.5), Catch::Contains("[0, 1]"));
}

TEST_CASE("Upsample nearest (hand-derived) and bilinear (PyTorch)", "[layers]") {
  Tensor x = tensor(std::vector<double>{1, 2, 3, 4}, {1, 1, 2, 2});
  nn::Upsample up(std::nullopt, 2.0);
  check_values(up.forward(x), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  nn::Upsample bil(Int2(3, 3), std::nullopt, "bilinear");
  // torch: nn.Upsample(size=(3,3), mode="bilinear") on uniform_values((1,1,2,2), seed=110)
  check_values(bil.forward(uniform_values({1, 1, 2, 2}, -1, 1, 110)),
               std::vector<double>{0.8993076897, 0.2889450147, -0.3214176603, 0.332060598, 0.1776961771, 0.02333175617,
                                   -0.2351864938, 0.06644733947, 0.3680811727},
               kAtol, kRtol);
  REQUIRE_THROWS_WITH(nn::Upsample(std::nullopt, std::nullopt), Catch::Contains("exactly one"));
  REQUIRE_THROWS_WITH(nn::Upsample(Int2(2), std::nullopt, "bicubic"), Catch::Contains("bicubic"));
}

TEST_CASE("Activation modules match PyTorch", "[layers]") {
  Tensor x = tensor(std::vector<double>{-2, -0.5, 0, 0.5, 2});
  // torch.nn.<Activation>(...)(torch.tensor([-2, -0.5, 0, 0.5, 2]))
  check_values(nn::ReLU().forward(x), std::vector<double>{0, 0, 0, 0.5, 2}, kAtol, kRtol);
  check_values(nn::LeakyReLU(0.2).forward(x), std::vector<double>{-0.4, -0.1, 0, 0.5, 2}, kAtol, kRtol);
  check_values(nn::ELU(0.5).forward(x), std::vector<double>{-0.4323323584, -0.1967346701, 0, 0.5, 2}, kAtol, kRtol);
  check_values(nn::SELU().forward(x), std::vector<double>{-1.520166469, -0.6917581878, 0, 0.5253504937, 2.101401975},
               kAtol, kRtol);
  check_values(nn::SiLU().forward(x), std::vector<double>{-0.238405844, -0.1887703344, 0, 0.3112296656, 1.761594156},
               kAtol, kRtol);
  check_values(nn::GELU().forward(x), std::vector<double>{-0.0455002639, -0.1542687694, 0, 0.3457312306, 1.954499736},
               kAtol, kRtol);
  check_values(nn::GELU("tanh").forward(x),
               std::vector<double>{-0.04540230591, -0.1542859902, 0, 0.3457140098, 1.954597694}, kAtol, kRtol);
  check_values(nn::Tanh().forward(x), std::vector<double>{-0.9640275801, -0.4621171573, 0, 0.4621171573, 0.9640275801},
               kAtol, kRtol);
  check_values(nn::Sigmoid().forward(x), std::vector<double>{0.119202922, 0.3775406688, 0.5, 0.6224593312, 0.880797078},
               kAtol, kRtol);
  check_values(nn::Softplus(2.0, 1.0).forward(x),
               std::vector<double>{0.009074963959, 0.1566308438, 0.3465735903, 0.6566308438, 2}, kAtol, kRtol);
  check_values(nn::Softmax(0).forward(x).sum(), {1.0}, 1e-12);
  REQUIRE(nn::to_string(nn::LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)");
}

TEST_CASE("Sequential chains its layers; gradcheck through a small network", "[layers]") {
  auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::Tanh>());
  net->push_back(std::make_shared<nn::Linear>(4, 2));
  set_params(*net, 60);
  Tensor x = uniform_values({2, 3});
  auto l0 = net->at<nn::Linear>(0), l2 = net->at<nn::Linear>(2);
  check_values(net->forward(x), l2->forward(l0->forward(x).tanh()).to_vector<double>(), 0, 0);
  gradcheck_module(*net, x);
  nn::ModuleList list(std::make_shared<nn::ReLU>());
  REQUIRE(list.size() == 1);
  REQUIRE_THROWS_WITH(list.forward(x), Catch::Contains("ModuleList"));
}

// ---- MultiheadAttention: E=4, heads=2, L=S=3, B=2 ----

namespace {

std::shared_ptr<nn::MultiheadAttention> mha(bool batch_first = false) {
  auto m = std::make_shared<nn::MultiheadAttention>(4, 2, 0.0, true, batch_first);
  set_params(*m, 90);
  return m;
}

}  // namespace

TEST_CASE("MultiheadAttention matches PyTorch without masks", "[layers][attention]") {
  auto m = mha();
  REQUIRE(nn::to_string(*m) ==
          "MultiheadAttention(\n  (out_proj): Linear(in_features=4, out_features=4, bias=True)\n)");
  std::vector<std::string> names;
  for (auto& kv : m->named_parameters()) names.push_back(kv.first);
  REQUIRE(names == std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
  Tensor q = uniform_values({3, 2, 4}, -1, 1, 200), k = uniform_values({3, 2, 4}, -1, 1, 201),
         v = uniform_values({3, 2, 4}, -1, 1, 202);
  // torch: nn.MultiheadAttention(4, 2); o, w = m(q, k, v)
  auto [out, w] = m->forward(q, k, v);
  REQUIRE(out.shape() == Shape{3, 2, 4});
  REQUIRE(w.shape() == Shape{2, 3, 3});
  check_values(out, std::vector<double>{-0.4901126932,  -0.1078297732, 0.3349655142,  -0.1329742063,  -0.4476597858,
                                        -0.09880221293, 0.1872023643,  -0.0921056178, -0.489956696,   -0.1059583927,
                                        0.3364263752,   -0.1343399233, -0.4503396573, -0.09881134109, 0.1909420946,
                                        -0.08822344543, -0.4889220399, -0.1055180594, 0.3341674483,   -0.1362473877,
                                        -0.4610069186,  -0.1125299312, 0.2193508628,  -0.05859296188},
               kAtol, kRtol);
  check_values(w,
               std::vector<double>{0.3458426994, 0.2960332457, 0.3581240549, 0.3463672773, 0.2936407846, 0.3599919381,
                                   0.3621509901, 0.2799786462, 0.3578703637, 0.3042056909, 0.3333204302, 0.3624738789,
                                   0.2978590695, 0.339921777, 0.3622191535, 0.399582245, 0.3044152337, 0.2960025213},
               kAtol, kRtol);
  auto [out2, none] = m->forward(q, k, v, {}, /*need_weights=*/false);
  REQUIRE_FALSE(none.defined());
  check_values(out2, out.to_vector<double>(), 1e-12, 0);
}

TEST_CASE("MultiheadAttention with a causal mask and key_padding_mask matches PyTorch", "[layers][attention]") {
  auto m = mha();
  Tensor q = uniform_values({3, 2, 4}, -1, 1, 200), k = uniform_values({3, 2, 4}, -1, 1, 201),
         v = uniform_values({3, 2, 4}, -1, 1, 202);
  Tensor causal = nn::generate_square_subsequent_mask(3, kFloat64);
  const double inf = std::numeric_limits<double>::infinity();
  REQUIRE(causal.to_vector<double>() == std::vector<double>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0});
  Tensor kpm = tensor(std::vector<bool>{false, false, true, false, false, false}, {2, 3});
  // torch: m(q, k, v, key_padding_mask=kpm, attn_mask=Transformer.generate_square_subsequent_mask(3))
  auto [out, w] = m->forward(q, k, v, kpm, true, causal);
  check_values(out, std::vector<double>{-0.4679174544,   -0.08110808941, 0.2536583785,  -0.2114696481, -0.4910822813,
                                        -0.1912452792,   0.3073246753,   0.04267471089, -0.4821149786, -0.1387295387,
                                        0.247613207,     -0.1828394592,  -0.5012807349, -0.1674624391, 0.322048687,
                                        -0.009678734703, -0.4806075965,  -0.1377736757, 0.2449551633,  -0.1852952801,
                                        -0.4610069186,   -0.1125299312,  0.2193508628,  -0.05859296188},
               kAtol, kRtol);
  check_values(w,
               std::vector<double>{1, 0, 0, 0.5409600617, 0.4590399383, 0, 0.5633647689, 0.4366352311, 0, 1, 0, 0,
                                   0.4651796248, 0.5348203752, 0, 0.399582245, 0.3044152337, 0.2960025213},
               kAtol, kRtol);
  // A bool causal mask (true = not allowed) is the same as the float one.
  Tensor bool_causal = ones({3, 3}, kBool).triu(1);
  auto [out_b, w_b] = m->forward(q, k, v, kpm, true, bool_causal);
  check_values(out_b, out.to_vector<double>(), 1e-12, 0);
  // A (B*heads, L, S) mask repeating the same (L, S) mask.
  auto [out_3d, w_3d] = m->forward(q, k, v, kpm, true, causal.unsqueeze(0).expand({4, 3, 3}).contiguous());
  check_values(out_3d, out.to_vector<double>(), 1e-12, 0);
  // torch: m(q, k, v, key_padding_mask=kpm, average_attn_weights=False): per-head weights (B, heads, L, S)
  auto [out_h, w_h] = m->forward(q, k, v, kpm, true, {}, /*average_attn_weights=*/false);
  REQUIRE(w_h.shape() == Shape{2, 2, 3, 3});
  check_values(w_h, std::vector<double>{0.5145217718, 0.4854782282, 0,
                                        0.527604474,  0.472395526,  0,
                                        0.5276265838, 0.4723734162, 0,
                                        0.5628746874, 0.4371253126, 0,
                                        0.5543156494, 0.4456843506, 0,
                                        0.599102954,  0.400897046,  0,
                                        0.2757252408, 0.3391308025, 0.3851439567,
                                        0.2600955253, 0.3429820576, 0.3969224171,
                                        0.3272773279, 0.3326705941, 0.340052078,
                                        0.332686141,  0.3275100578, 0.3398038011,
                                        0.3356226137, 0.3368614964, 0.3275158898,
                                        0.4718871621, 0.2761598733, 0.2519529646},
               kAtol, kRtol);
  REQUIRE_THROWS_WITH(m->forward(q, k, v, {}, true, ones({2, 3}, kBool)), Catch::Contains("attn_mask"));
  REQUIRE_THROWS_WITH(m->forward(q, k, v, ones({3, 2}, kBool)), Catch::Contains("key_padding_mask"));
}

TEST_CASE("MultiheadAttention batch_first and unbatched inputs; gradcheck", "[layers][attention]") {
  auto m = mha(/*batch_first=*/true);
  Tensor x = uniform_values({2, 3, 4}, -1, 1, 203);
  // torch: nn.MultiheadAttention(4, 2, batch_first=True); o, w = m(x, x, x)
  auto [out, w] = m->forward(x, x, x);
  REQUIRE(out.shape() == Shape{2, 3, 4});
  check_values(out, std::vector<double>{-0.4688408242,  -0.1134171792,  0.1738926959,  -0.1212979582,  -0.4517009342,
                                        -0.06500473921, 0.1362772734,   -0.1283205323, -0.467673631,   -0.09341505293,
                                        0.1656800689,   -0.1186850022,  -0.4253785412, -0.01332069638, 0.2058389382,
                                        -0.1922595727,  -0.4154883379,  0.01183126859, 0.2003906157,   -0.2144350551,
                                        -0.4235212904,  0.005263012014, 0.2166869999,  -0.2048986585},
               kAtol, kRtol);
  check_values(w,
               std::vector<double>{0.2975289379, 0.2917277397, 0.4107433223, 0.3265366603, 0.3647021539, 0.3087611858,
                                   0.3034976231, 0.3215510348, 0.3749513421, 0.2885170803, 0.3289837892, 0.3824991305,
                                   0.3300629705, 0.3555109607, 0.3144260688, 0.3298072306, 0.3227461681, 0.3474466012},
               kAtol, kRtol);
  // Unbatched (L, E) gives the batch's first row.
  auto [out1, w1] = m->forward(x.select(0, 1), x.select(0, 1), x.select(0, 1));
  check_values(out1, out.select(0, 1).to_vector<double>(), 1e-12, 0);
  REQUIRE(w1.shape() == Shape{3, 3});

  // Gradients w.r.t. query, key, value and every parameter, with a key padding mask.
  auto small = mha();
  Tensor kpm = tensor(std::vector<bool>{false, true, false}, {1, 3});
  std::vector<Tensor> in{dgm::test::leaf({2, 1, 4}, -1, 1, 1), dgm::test::leaf({3, 1, 4}, -1, 1, 2),
                         dgm::test::leaf({3, 1, 4}, -1, 1, 3)};
  for (const Tensor& p : small->parameters()) in.push_back(p);
  auto f = [&](const std::vector<Tensor>& t) {
    auto [o, a] = small->forward(t[0], t[1], t[2], kpm);
    return std::vector<Tensor>{o, a};
  };
  REQUIRE_GRADCHECK(f, in);
}

TEST_CASE("scaled_dot_product_attention: bool masks keep, is_causal", "[layers][attention]") {
  Tensor q = uniform_values({2, 3, 4}, -1, 1, 1), k = uniform_values({2, 3, 4}, -1, 1, 2),
         v = uniform_values({2, 3, 2}, -1, 1, 3);
  // Hand-derived: with one allowed key per query the output is that key's value.
  Tensor only_first = tensor(std::vector<bool>{true, false, false}, {1, 3}).expand({3, 3});
  Tensor y = scaled_dot_product_attention(q, k, v, only_first);
  check_values(y.select(1, 2), v.select(1, 0).to_vector<double>(), 1e-12, 0);
  // is_causal equals the float causal mask, and the first query sees only the first key.
  Tensor c1 = scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
  Tensor c2 = scaled_dot_product_attention(q, k, v, generate_square_subsequent_mask(3, kFloat64));
  check_values(c1, c2.to_vector<double>(), 1e-12, 0);
  check_values(c1.select(1, 0), v.select(1, 0).to_vector<double>(), 1e-12, 0);
  auto f = [](const std::vector<Tensor>& t) { return scaled_dot_product_attention(t[0], t[1], t[2], {}, 0, true); };
  REQUIRE_GRADCHECK(f, (std::vector<Tensor>{q.requires_grad_(), k.requires_grad_(), v.requires_grad_()}));
}
