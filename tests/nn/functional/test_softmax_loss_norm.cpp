// softmax, normalization layers and losses. Expected values from PyTorch 1.13
// (torch.nn.functional in float64; printed by a short script, numbers pasted
// here); gradients by gradcheck / gradgradcheck.
#include <cmath>
#include <limits>

#include "tests/helpers.h"

using namespace dgm;
namespace F = dgm::nn::functional;
using dgm::test::check_values;
using dgm::test::leaf;
using dgm::test::uniform_values;
using V = std::vector<Tensor>;

namespace {
// arange(24).reshape(2,4,3).sin() * 3, as in the torch script
Tensor nchw_input() { return sin(arange(24, kFloat64).reshape({2, 4, 3})) * 3.0; }
Tensor vec(std::vector<double> v) { return tensor(v); }
}  // namespace

TEST_CASE("softmax and log_softmax match torch and are stable", "[nn]") {
  Tensor x = tensor(std::vector<double>{1, 2, 3, -1, 0, 4}, {2, 3});
  check_values(softmax(x, 1),
               {0.09003057317038045, 0.2447284710547976, 0.6652409557748218, 0.006573263185309083, 0.0178679818703045,
                0.9755587549443865},
               1e-14);
  check_values(F::log_softmax(x, 0),
               {-0.1269280110429726, -0.1269280110429726, -1.3132616875182228, -2.1269280110429727, -2.1269280110429727,
                -0.31326168751822286},
               1e-14);
  // no overflow for large logits; rows sum to 1
  Tensor big = tensor(std::vector<float>{1000, 1001, -1000, 0}, {2, 2});
  check_values(softmax(big, -1), {1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(-1.0)), 0, 1}, 1e-6);
  check_values(log_softmax(big, -1), {-std::log1p(std::exp(1.0)), -std::log1p(std::exp(-1.0)), -1000, 0}, 1e-3);
  // masked (-inf) entries get probability 0
  const double inf = std::numeric_limits<double>::infinity();
  check_values(softmax(vec({0, -inf, 0}), 0), {0.5, 0, 0.5});
  check_values(softmax(scalar_tensor(3.0, kFloat64), 0), {1});
}

TEST_CASE("softmax and log_softmax gradients", "[nn]") {
  Tensor a = leaf({7, 13, 5}), b = leaf({4, 6}, -2, 2, 3);
  REQUIRE_GRADCHECK([](const V& in) { return softmax(in[0], 1).select(2, 1); }, V{a});
  REQUIRE_GRADCHECK([](const V& in) { return log_softmax(in[0].t(), 0); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return softmax(in[0], 1); }, V{b});
  REQUIRE_GRADGRADCHECK([](const V& in) { return log_softmax(in[0].slice(1, 0, 6, 2), 1); }, V{b});
}

TEST_CASE("layer_norm, group_norm and batch_norm match torch", "[nn]") {
  Tensor y = tensor(std::vector<double>{1, 2, 4, 7, 0, -3, 3, 1}, {2, 4});
  Tensor w = vec({1, 0.5, -1, 2}), bias = vec({0, 1, 0, -1});
  check_values(layer_norm(y, {4}, w, bias),
               {-1.0910884120486357, 0.6726734763854092, -0.21821768240972705, 2.0550475537361796, -0.11546993067006481,
                0.2494454506445788, -1.270169237370713, -0.3071804159796112},
               1e-12);
  Tensor g = nchw_input();
  Tensor gw = vec({1, 2, 3, 4}), gb = vec({0, -1, 1, 0.5});
  check_values(group_norm(g, 2, gw, gb),
               {-0.0412345356735744, 1.14055498762008,     1.2358126732991679,  -0.6860819110926788, -3.208225695888605,
                -3.7759586435100636, -0.36419206694251777, 3.645473416068327,   5.068685867771741,   2.62926709806947,
                -2.8296412749700472, -5.432915445629488,   -0.8431410710827327, 0.5418427532191796,  1.367616371615747,
                0.7499346552066389,  -1.9663302394410918,  -3.916240523269934,  -2.4992062082106887, 1.4417216422282166,
                4.779844345740447,   5.094809711011246,    0.1631290278944293,  -4.72108511191631},
               1e-12);
  Tensor rm = vec({0.5, -0.5, 0, 1}), rv = vec({1, 2, 0.5, 1.5});
  Tensor out = batch_norm(g, rm, rv, gw, gb, /*training=*/true, 0.1);
  check_values(out,
               {-0.791693328857955,  0.7310372029025813,  0.8537763061941177,  0.679982988721381,    -2.316688858944012,
                -2.991237769035977,  -1.6314078472770135, 2.7749111121753645,  4.338913903889671,    4.126594292198267,
                -1.6159032521312235, -4.354416982469671,  -1.7626786385197428, -0.03135674332334731, 1.0009152016043463,
                2.379248685326454,   -0.7518133125997425, -2.9994917334681017, -3.8504284403725144,  0.3886651577203971,
                3.9793461138640955,  6.676330303690473,   1.5982835506292152,  -3.43088791191706},
               1e-12);
  // running stats updated in place (unbiased variance)
  check_values(rm, {0.5812484943077327, -0.5586809865149353, 0.08393822803810745, 0.8424845546436083}, 1e-12);
  check_values(rv, {1.2298028123687181, 2.1878660246979544, 0.8889731634412608, 1.8290530632261053}, 1e-12);
  // eval uses the (updated) running stats
  Tensor ev = batch_norm(g, rm, rv, gw, gb, /*training=*/false);
  check_values(ev.slice(1, 0, 1).reshape({-1}),
               {-0.5241340017147947, 1.752225725218529, 1.9357108171800925, -1.9756789784891677, 0.6125080673345962,
                2.155671636767817},
               1e-12);
  // running stats that require grad may still be updated (under NoGradGuard)
  Tensor rm2 = zeros({4}, kFloat64).requires_grad_();
  batch_norm(g, rm2, Tensor(), {}, {}, true);
  REQUIRE(rm2.abs().sum().item() > 0);
}

TEST_CASE("normalization gradients", "[nn]") {
  Tensor x = leaf({3, 5, 4}), w = leaf({4}, 0.5, 1.5, 2), b = leaf({4}, -1, 1, 3);
  Tensor x4 = leaf({2, 4, 3}, -1, 1, 4), cw = leaf({4}, 0.5, 1.5, 5), cb = leaf({4}, -1, 1, 6);
  REQUIRE_GRADCHECK([](const V& in) { return layer_norm(in[0], {4}, in[1], in[2]); }, (V{x, w, b}));
  REQUIRE_GRADCHECK([](const V& in) { return layer_norm(in[0].transpose(0, 1), {3, 4}); }, V{x});
  REQUIRE_GRADGRADCHECK([](const V& in) { return layer_norm(in[0], {4}, in[1], in[2]); },
                        (V{leaf({2, 4}, -1, 1, 7), w, b}));
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0], 2, in[1], in[2]); }, (V{x4, cw, cb}));
  // group_norm on the CPU runs the fused group-norm kernel: second derivatives (its composite
  // gradient under create_graph), a non-contiguous (N, C, H, W) input, no affine
  REQUIRE_GRADGRADCHECK([](const V& in) { return group_norm(in[0], 2, in[1], in[2]); },
                        (V{leaf({2, 4, 3}, -1, 1, 10), cw, cb}));
  REQUIRE_GRADCHECK([](const V& in) { return group_norm(in[0].transpose(2, 3), 3); }, V{leaf({2, 6, 3, 2}, -1, 1, 11)});
  REQUIRE_GRADCHECK([](const V& in) { return batch_norm(in[0], {}, {}, in[1], in[2], true); }, (V{x4, cw, cb}));
  REQUIRE_GRADCHECK([](const V& in) { return batch_norm(in[0].transpose(1, 2), {}, {}, {}, {}, true); },
                    V{leaf({2, 3, 4}, -1, 1, 8)});
  REQUIRE_GRADGRADCHECK([](const V& in) { return batch_norm(in[0], {}, {}, {}, {}, true); }, V{leaf({3, 2}, -1, 1, 9)});
}

TEST_CASE("normalization errors", "[nn]") {
  Tensor x = zeros({2, 4, 3});
  REQUIRE_THROWS_WITH(layer_norm(x, {4}), Catch::Contains("layer_norm") && Catch::Contains("(2,4,3)"));
  REQUIRE_THROWS_WITH(layer_norm(x, {3}, ones({4})), Catch::Contains("weight") && Catch::Contains("(4)"));
  REQUIRE_THROWS_WITH(group_norm(x, 3), Catch::Contains("group_norm") && Catch::Contains("divide"));
  REQUIRE_THROWS_WITH(batch_norm(x, {}, {}), Catch::Contains("running_mean"));
  REQUIRE_THROWS_WITH(batch_norm(zeros({1, 4}), {}, {}, {}, {}, true), Catch::Contains("more than 1 value"));
  REQUIRE_THROWS_AS(batch_norm(x, zeros({3}), zeros({3}), {}, {}, true), dgm::Error);
}

TEST_CASE("cross_entropy and nll_loss match torch", "[nn]") {
  Tensor logits = tensor(std::vector<double>{1, 2, 0.5, 0, -1, 3, 2, 2, 2, 1.5, -0.5, 0}, {4, 3});
  Tensor t = tensor(std::vector<int64_t>{2, 0, 1, -100});
  check_values(cross_entropy(logits, t), {2.0429549921778283}, 1e-12);
  check_values(F::cross_entropy(logits, t, "none"), {1.964368784107945, 3.0658839037574293, 1.0986122886681098, 0},
               1e-12);
  check_values(cross_entropy(logits, t, "sum"), {6.128864976533484}, 1e-12);
  check_values(cross_entropy(logits, t, "mean", -100, 0.2), {1.9540661032889395}, 1e-12);
  check_values(cross_entropy(logits, t, "none", -100, 0.2),
               {1.8310354507746116, 2.932550570424096, 1.0986122886681098, 0}, 1e-12);
  check_values(nll_loss(logits, tensor(std::vector<int64_t>{0, 2, 1, 1})), {-1.375}, 1e-12);
  // class dim 1 with trailing dims: logits (2,3,1,2,2), target (2,1,2,2), as PixelCNN
  Tensor l5 = cos(arange(24, kFloat64) * 0.37).reshape({2, 3, 1, 2, 2}) * 2.0;
  Tensor t5 = tensor(std::vector<int64_t>{0, 1, 2, 2, 1, 0, 0, 2}, {2, 1, 2, 2});
  check_values(cross_entropy(l5, t5), {1.9333882881874802}, 1e-12);
  Tensor none = cross_entropy(l5, t5, "none");
  REQUIRE(none.shape() == Shape{2, 1, 2, 2});
  check_values(none,
               {0.16650674832753998, 2.5211122298318602, 3.2775171953162374, 2.268871290255372, 0.3789155958383729,
                2.086099569181864, 1.3449061971717016, 3.423177479576892},
               1e-12);
  // every target ignored: "mean" is 0/0 = NaN, as torch; "sum" is 0
  Tensor all_ignored = full({4}, -100, kInt64);
  REQUIRE(std::isnan(cross_entropy(logits, all_ignored).item()));
  check_values(cross_entropy(logits, all_ignored, "sum"), {0});
  // one sample: logits (K), target ()
  check_values(cross_entropy(vec({1, 2, 0.5}), tensor(std::vector<int64_t>{2}).reshape({})), {1.964368784107945},
               1e-12);
}

TEST_CASE("binary cross entropy and mse match torch", "[nn]") {
  Tensor p = vec({0.1, 0.9, 0.5, 0, 1, 0.3}), t = vec({0, 1, 1, 0, 0, 0.7});
  // log(0) clamped at -100: the fifth loss is 100, not inf
  check_values(binary_cross_entropy(p, t, "none"),
               {0.10536051565782628, 0.10536051565782628, 0.6931471805599453, 0, 100, 0.949783446209775}, 1e-12);
  Tensor lg = vec({-3, 0, 2, 50, -50, 0.7});
  check_values(binary_cross_entropy_with_logits(lg, t, "none"),
               {0.048587351573741965, 0.6931471805599453, 0.1269280110429726, 50, 0, 0.6131860488854579}, 1e-12);
  check_values(binary_cross_entropy_with_logits(lg, t), {8.58030809867702}, 1e-12);
  Tensor lgr = lg.clone().requires_grad_();
  binary_cross_entropy_with_logits(lgr, t, "sum").backward();
  // torch's gradient, sigmoid(x) - t, including at x = 0 (-0.5, not -1)
  check_values(lgr.grad(),
               {0.04742587317756678, -0.5, -0.11920292202211769, 1, 1.928749847963918e-22, -0.031812227831833795},
               1e-12);
  check_values(mse_loss(p, t), {0.2383333333333333}, 1e-12);
  check_values(mse_loss(p, t, "sum"), {1.43}, 1e-12);
}

TEST_CASE("loss gradients (first and second order)", "[nn]") {
  Tensor logits = leaf({3, 4, 2, 3}),
         t = tensor(std::vector<int64_t>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, {3, 2, 3});
  {
    NoGradGuard ng;
    t.select(1, 1).select(1, 2).fill_(-100);  // some ignored targets
  }
  REQUIRE_GRADCHECK([&](const V& in) { return cross_entropy(in[0], t); }, V{logits});
  REQUIRE_GRADCHECK([&](const V& in) { return cross_entropy(in[0], t, "none", -100, 0.1); }, V{logits});
  Tensor l2 = leaf({5, 3}), t2 = tensor(std::vector<int64_t>{0, 2, 1, 1, 0});
  REQUIRE_GRADGRADCHECK([&](const V& in) { return cross_entropy(in[0], t2, "mean", -100, 0.3); }, V{l2});
  REQUIRE_GRADGRADCHECK([&](const V& in) { return nll_loss(in[0].t().t(), t2, "sum"); }, V{l2});
  Tensor pr = leaf({4, 3}, 0.05, 0.95, 4), tgt = uniform_values({4, 3}, 0, 1, 5);
  REQUIRE_GRADCHECK([&](const V& in) { return binary_cross_entropy(in[0], tgt); }, V{pr});
  REQUIRE_GRADGRADCHECK([&](const V& in) { return binary_cross_entropy(in[0], tgt, "sum"); }, V{pr});
  Tensor lx = leaf({4, 3}, -4, 4, 6);
  REQUIRE_GRADGRADCHECK([](const V& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
                        (V{lx, leaf({4, 3}, 0, 1, 7)}));
  REQUIRE_GRADGRADCHECK([](const V& in) { return mse_loss(in[0], in[1].t(), "none"); },
                        (V{leaf({3, 4}), leaf({4, 3}, -1, 1, 8)}));
}

TEST_CASE("loss errors name the op and shapes", "[nn]") {
  Tensor logits = zeros({4, 3});
  REQUIRE_THROWS_WITH(cross_entropy(logits, zeros({4})), Catch::Contains("cross_entropy") && Catch::Contains("int64"));
  REQUIRE_THROWS_WITH(cross_entropy(logits, zeros({4, 1}, kInt64)), Catch::Contains("(4)") && Catch::Contains("(4,1)"));
  REQUIRE_THROWS_WITH(cross_entropy(logits, tensor(std::vector<int64_t>{0, 1, 3, 2})),
                      Catch::Contains("target 3 is out of range for 3 classes"));
  REQUIRE_THROWS_WITH(nll_loss(logits, tensor(std::vector<int64_t>{0, -1, 1, 2})),
                      Catch::Contains("nll_loss") && Catch::Contains("target -1"));
  REQUIRE_THROWS_WITH(cross_entropy(logits, zeros({4}, kInt64), "avg"), Catch::Contains("reduction"));
  REQUIRE_THROWS_WITH(binary_cross_entropy(vec({0.5, 1.5}), vec({0, 1})), Catch::Contains("between 0 and 1"));
  REQUIRE_THROWS_WITH(binary_cross_entropy_with_logits(zeros({2, 3}), zeros({3})),
                      Catch::Contains("(3)") && Catch::Contains("(2,3)"));
  REQUIRE_THROWS_AS(mse_loss(zeros({2, 3}), zeros({4})), dgm::Error);
}
