// Anomaly mode (autograd/debug.h): DetectAnomalyGuard turns it on at run time,
// like DGM_DETECT_NAN. It names the first op whose result has a NaN or Inf in
// training and in evaluation, the node whose backward produced one (and the
// forward op it belongs to), and the parameter an optimizer step spoiled.
#include <cmath>
#include <limits>

#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;

namespace {
Tensor vec(std::vector<double> v) { return tensor(v); }
}  // namespace

TEST_CASE("anomaly mode is off by default and switched by the guard", "[autograd][debug]") {
  REQUIRE_FALSE(autograd::debug_detect_nan());
  REQUIRE_NOTHROW(vec({-1.0}).log());  // NaN, silently, as in PyTorch without anomaly mode
  {
    autograd::DetectAnomalyGuard anomaly;
    REQUIRE(autograd::debug_detect_nan());
    {
      autograd::DetectAnomalyGuard off(false);
      REQUIRE_FALSE(autograd::debug_detect_nan());
    }
    REQUIRE(autograd::debug_detect_nan());
  }
  REQUIRE_FALSE(autograd::debug_detect_nan());
}

TEST_CASE("anomaly mode checks evaluation: grad off and tensors without grad", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // a tensor without grad, grad mode on
  REQUIRE_THROWS_WITH(vec({1.0, -1.0}).log(),
                      Contains("log: produced NaN in forward (a tensor of shape (2), float64)"));
  // under NoGradGuard (evaluation, sampling)
  Tensor x = vec({2.0, 0.0}).requires_grad_();
  {
    NoGradGuard no_grad;
    REQUIRE_THROWS_WITH(x.log() - x.log(),
                        Contains("sub: produced NaN in forward"));  // log(0) = -inf: fine; -inf + inf: NaN
    REQUIRE_NOTHROW(x * 2.0);
  }
  // and training, as before
  REQUIRE_THROWS_WITH(-x - 1.0 - (-x - 1.0).sqrt(), Contains("sqrt: produced NaN in forward"));
}

TEST_CASE("anomaly mode lets -inf through a forward, as a mask, and stops at the NaN", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // log(0) = -inf and a -inf attention mask are legitimate forward results
  Tensor x = vec({1.0, 0.0}).requires_grad_();
  Tensor logx;
  REQUIRE_NOTHROW(logx = x.log());
  Tensor scores = vec({0.5, 2.0}).requires_grad_();
  Tensor masked = scores.masked_fill(tensor(std::vector<bool>{false, true}), -std::numeric_limits<double>::infinity());
  REQUIRE_NOTHROW((softmax(masked, 0) * vec({1.0, 3.0})).sum().backward());
  // softmax = (1, 0): d/ds_0 = p_0 (w_0 - sum_j p_j w_j) = 0; the masked entry gets 0
  REQUIRE(scores.grad().to_vector<double>() == std::vector<double>{0.0, 0.0});
}

TEST_CASE("anomaly mode names the backward that produced a NaN and its forward op", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // sqrt(x) at 0 is 0, but its backward g / (2 sqrt(x)) divides by 0
  Tensor x = vec({4.0, 0.0}).requires_grad_();
  Tensor y = (x.sqrt() * 3.0).sum();
  REQUIRE_THROWS_WITH(y.backward(), Contains("sqrt backward (of the forward op sqrt -> (2) float64): produced NaN/Inf "
                                             "in its gradient for input 0"));
}

TEST_CASE("anomaly mode does not stop at a NaN a backward masks itself", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // d/db a^b = a^b log a: at a = 0 the product is 0 * -inf = NaN inside pow's
  // backward, which where() replaces by the limit 0; only returned gradients count
  Tensor a = vec({0.0, 2.0});
  Tensor b = vec({1.5, 1.5}).requires_grad_();
  REQUIRE_NOTHROW(pow(a, b).sum().backward());
  std::vector<double> gb = b.grad().to_vector<double>();
  REQUIRE(gb[0] == 0.0);
  REQUIRE(gb[1] == Approx(std::pow(2.0, 1.5) * std::log(2.0)).epsilon(1e-12));
}

TEST_CASE("anomaly mode checks the gradients a backward function returns", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // a backward that makes its NaN without any recorded op (a kernel fill)
  Tensor x = vec({1.0, 2.0}).requires_grad_();
  Tensor y = autograd::record("custom", x.detach() * 2.0, {x},
                              [](const Tensor& g) { return std::vector{full_like(g, std::nan(""))}; });
  REQUIRE_THROWS_WITH(y.sum().backward(), Contains("custom backward (of the forward op custom -> (2) float64): "
                                                   "produced NaN/Inf in its gradient for input 0 (a tensor of shape "
                                                   "(2), float64)"));
}

TEST_CASE("anomaly mode names a node recorded by create_graph", "[autograd][debug]") {
  autograd::DetectAnomalyGuard anomaly;
  // sqrt at 1e-250: d/dx = 5e124 is finite, d2/dx2 = -x^(-3/2)/4 overflows
  Tensor x = vec({1e-250}).requires_grad_();
  Tensor gx = autograd::grad({x.sqrt().sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  REQUIRE(std::isfinite(gx.item<double>()));
  REQUIRE_THROWS_WITH(autograd::grad({gx.sum()}, {x}),
                      Contains("itself recorded in sqrt backward") && Contains("produced NaN/Inf in its gradient"));
}

TEST_CASE("anomaly mode checks the parameters after an optimizer step", "[autograd][debug][optim]") {
  Tensor a = vec({1.0, 2.0}).requires_grad_();
  Tensor b = vec({1.0, 2.0, 3.0}).requires_grad_();
  Tensor c = vec({0.5}).requires_grad_();
  std::vector<nn::optim::ParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b, c});
  nn::optim::SGD opt(std::move(groups), nn::optim::SGDOptions(0.1));
  a.set_grad(vec({1.0, 1.0}));
  b.set_grad(vec({1.0, 1.0, 1.0}));
  c.set_grad(vec({std::numeric_limits<double>::infinity()}));
  REQUIRE_NOTHROW(opt.step());  // anomaly mode off: c is now -inf, silently
  autograd::DetectAnomalyGuard anomaly;
  REQUIRE_THROWS_WITH(opt.step(), Contains("SGD step: produced NaN/Inf in parameter 1 of param group 1 (a tensor of "
                                           "shape (1), float64)"));
  // Adam, through its fused kernel
  Tensor p = vec({1.0, 2.0}).requires_grad_();
  nn::optim::Adam adam(std::vector<Tensor>{p}, nn::optim::AdamOptions(0.1));
  p.set_grad(vec({std::nan(""), 1.0}));
  REQUIRE_THROWS_WITH(adam.step(), Contains("Adam step: produced NaN/Inf in parameter 0 of param group 0"));
  // a finite step passes
  Tensor q = vec({1.0}).requires_grad_();
  nn::optim::Adam ok(std::vector<Tensor>{q}, nn::optim::AdamOptions(0.1));
  q.set_grad(vec({1.0}));
  REQUIRE_NOTHROW(ok.step());
}
