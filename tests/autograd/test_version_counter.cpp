// Version counters (autograd/engine.cpp): an in-place write into a tensor a
// recorded backward reads makes that backward a dgm::Error naming the op, the
// input (or output) and the versions, instead of a silently wrong gradient.
// Views and detach() share the counter; ops whose backward reads no values
// never complain. Expected gradients are derived by hand above each check.
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;
using dgm::test::check_values;

namespace {
Tensor vec(std::vector<double> v) { return tensor(v); }
Tensor param(std::vector<double> v) { return tensor(v).requires_grad_(); }
}  // namespace

TEST_CASE("an in-place edit of a saved input makes backward an error naming the op", "[autograd][version]") {
  // y = w * data reads data for dy/dw; data needs no grad, so mul_ is allowed
  Tensor w = tensor(std::vector<double>(12, 1.0), {3, 4}).requires_grad_();
  Tensor data = dgm::test::uniform_values({3, 4});
  Tensor y = w * data;
  const uint64_t saved = data._version();
  data.mul_(2);
  REQUIRE(data._version() == saved + 1);
  REQUIRE_THROWS_WITH(
      y.sum().backward(),
      Contains("mul backward: input 1 of shape (3,4) was modified in place after mul used it") &&
          Contains("version " + std::to_string(saved + 1) + ", saved at version " + std::to_string(saved)) &&
          Contains("clone()"));
}

TEST_CASE("every in-place front door bumps the version", "[autograd][version]") {
  Tensor x = vec({1, 2, 3});
  uint64_t v = x._version();
  auto bumped = [&](const char* op) {
    INFO(op);
    CHECK(x._version() > v);
    v = x._version();
  };
  x.fill_(1);
  bumped("fill_");
  x.zero_();
  bumped("zero_");
  x.copy_(vec({4, 5, 6}));
  bumped("copy_");
  x.add_(1.0);
  bumped("add_");
  x.sub_(vec({1, 1, 1}));
  bumped("sub_");
  x.mul_(2.0);
  bumped("mul_");
  x.div_(vec({2, 2, 2}));
  bumped("div_");
  x.clamp_(0.0, 5.0);
  bumped("clamp_");
  x.masked_fill_(x.gt(4.0), 0.0);
  bumped("masked_fill_");
  x.uniform_();
  bumped("uniform_");
  x.normal_();
  bumped("normal_");
}

TEST_CASE("each in-place op on a saved input is caught", "[autograd][version]") {
  using Edit = std::function<void(Tensor&)>;
  const std::vector<std::pair<const char*, Edit>> edits = {
      {"fill_", [](Tensor& t) { t.fill_(3); }},
      {"copy_",
       [](Tensor& t) {
         t.copy_(vec({7, 8, 9}));
       }},
      {"add_", [](Tensor& t) { t.add_(1.0); }},
      {"mul_", [](Tensor& t) { t.mul_(2.0); }},
      {"div_", [](Tensor& t) { t.div_(2.0); }},
      {"clamp_", [](Tensor& t) { t.clamp_(0.0, 1.5); }},
      {"masked_fill_", [](Tensor& t) { t.masked_fill_(t.gt(1.5), 0.0); }},
  };
  for (const auto& [name, edit] : edits) {
    INFO(name);
    Tensor w = param({1, 1, 1});
    Tensor data = vec({1, 2, 3});
    Tensor y = (w * data).sum();
    edit(data);
    REQUIRE_THROWS_WITH(y.backward(), Contains("mul backward: input 1 of shape (3)"));
  }
}

TEST_CASE("a unary op's saved input edited through detach() is caught", "[autograd][version]") {
  // y = exp(x) reads x; x.detach() shares x's storage, so mul_ on it is seen
  Tensor x = param({0.5, 1.0});
  Tensor y = x.exp().sum();
  x.detach().mul_(2);
  REQUIRE_THROWS_WITH(y.backward(), Contains("exp backward: input 0 of shape (2) was modified in place"));
}

TEST_CASE("views and detach share the version counter", "[autograd][version]") {
  Tensor base = vec({1, 2, 3, 4, 5, 6});
  Tensor v = base.view({2, 3});
  Tensor s = base.slice(0, 1, 4);
  Tensor d = base.detach();
  const uint64_t before = base._version();
  s.add_(1.0);
  REQUIRE(base._version() == before + 1);
  REQUIRE(v._version() == before + 1);
  REQUIRE(d._version() == before + 1);
  d.mul_(2.0);
  REQUIRE(s._version() == before + 2);
  // an unrelated tensor keeps its own count
  Tensor other = vec({1, 2, 3, 4, 5, 6});
  const uint64_t other_before = other._version();
  v.zero_();
  REQUIRE(other._version() == other_before);

  // and an edit through a view of a saved input is caught
  Tensor w = param({1, 1, 1});
  Tensor data = vec({1, 2, 3, 4});
  Tensor y = (w * data.slice(0, 0, 3)).sum();
  data.slice(0, 2, 4).fill_(0);
  REQUIRE_THROWS_WITH(y.backward(), Contains("mul backward: input 1"));
}

TEST_CASE("ops whose backward reads no values do not complain", "[autograd][version]") {
  // d/dw of each is a constant (1 or -1 per element), whatever data holds
  Tensor w = param({1, 2, 3, 4});
  Tensor data = vec({5, 6, 7, 8});
  Tensor y = (w + data).sum() + (w - data).sum() + (-w).sum() + w.view({2, 2}).sum() + w.reshape({4, 1}).sum() +
             data.expand({2, 4}).sum() + cat({w, data}).sum() + w.slice(0, 1, 3).sum() + w.permute({0}).sum() +
             w.clone().sum() + w.expand({3, 4}).sum();
  data.mul_(10);
  w.detach().add_(100);  // w's own values are not read by any of these backwards either
  REQUIRE_NOTHROW(y.backward());
  // add 1, sub 1, neg -1, view 1, reshape 1, cat 1, permute 1, clone 1, expand 3: 9; the slice adds 1 on [1, 3)
  check_values(w.grad(), {9, 10, 10, 9}, 0);
}

TEST_CASE("a product reads only the other input", "[autograd][version]") {
  // y = w * data: dy/dw = data, and dy/d data is not wanted, so w itself is not read
  Tensor w = param({1, 2});
  Tensor data = vec({3, 4});
  Tensor y = (w * data).sum();
  w.detach().mul_(5);
  y.backward();
  check_values(w.grad(), {3, 4}, 0);
  // matmul likewise: d(x W)/dW = x^T g reads x only
  Tensor W = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2}).requires_grad_();
  Tensor x = tensor(std::vector<double>{1, 1}, {1, 2});
  Tensor z = x.matmul(W).sum();
  W.detach().zero_();
  z.backward();
  check_values(W.grad(), {1, 1, 1, 1}, 0);
}

TEST_CASE("an op that reads its output catches an edit of the output", "[autograd][version]") {
  Tensor A = tensor(std::vector<double>{2, 1, 1, 3}, {2, 2}).requires_grad_();
  Tensor Y = linalg::inv(A);
  {
    NoGradGuard no_grad;
    Y.mul_(2);
  }
  REQUIRE_THROWS_WITH(Y.sum().backward(), Contains("inv backward: its output of shape (2,2) was modified in place"));
}

TEST_CASE("an optimizer step between forward and a retained backward is caught", "[autograd][version][optim]") {
  // The GAN case: the critic's step updates its weight in place, and the
  // generator's loss then backpropagates through the critic's matmul, which
  // saved that weight for d/d(fake).
  Tensor g_w = tensor(std::vector<double>{0.5, -0.2, 0.1, 0.3}, {2, 2}).requires_grad_();
  Tensor d_w = tensor(std::vector<double>{1.0, -1.0}, {2, 1}).requires_grad_();
  Tensor z = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2});
  for (const char* kind : {"sgd", "adam"}) {
    INFO(kind);
    Tensor fake = z.matmul(g_w);
    Tensor critic = fake.matmul(d_w).mean();
    std::unique_ptr<nn::optim::Optimizer> opt;
    if (std::string(kind) == "sgd")
      opt = std::make_unique<nn::optim::SGD>(std::vector<Tensor>{d_w}, nn::optim::SGDOptions(0.1));
    else
      opt = std::make_unique<nn::optim::Adam>(std::vector<Tensor>{d_w}, nn::optim::AdamOptions(0.1));
    opt->zero_grad();
    critic.backward(Tensor(), /*retain_graph=*/true);
    opt->step();  // d_w changes in place (adam: the fused kernel)
    REQUIRE_THROWS_WITH(critic.backward(Tensor(), /*retain_graph=*/true),
                        Contains("matmul backward: input 1 of shape (2,1) was modified in place"));
  }
}

TEST_CASE("the normal train loop is not affected", "[autograd][version][optim]") {
  // loss = sum((x W - t)^2) for a few steps of SGD and Adam: each forward
  // after the step records the new versions.
  for (const char* kind : {"sgd", "adam"}) {
    INFO(kind);
    Tensor W = tensor(std::vector<double>{0.5, -0.2, 0.1, 0.3}, {2, 2}).requires_grad_();
    Tensor x = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2});
    Tensor t = tensor(std::vector<double>{1, 0, 0, 1}, {2, 2});
    std::unique_ptr<nn::optim::Optimizer> opt;
    if (std::string(kind) == "sgd")
      opt = std::make_unique<nn::optim::SGD>(std::vector<Tensor>{W}, nn::optim::SGDOptions(0.01).momentum(0.9));
    else
      opt = std::make_unique<nn::optim::Adam>(std::vector<Tensor>{W}, nn::optim::AdamOptions(0.01));
    double first = 0, last = 0;
    for (int step = 0; step < 5; ++step) {
      opt->zero_grad();
      Tensor loss = (x.matmul(W) - t).square().sum();
      REQUIRE_NOTHROW(loss.backward());
      opt->step();
      (step == 0 ? first : last) = loss.item<double>();
    }
    CHECK(last < first);
  }
}

TEST_CASE("second derivatives still work with version checks", "[autograd][version]") {
  // y = sum(x^3 c): dy/dx = 3 x^2 c, d/dx sum(dy/dx) = 6 x c
  Tensor x = param({1, 2});
  Tensor c = vec({1, 1});
  Tensor y = (x * x * x * c).sum();
  Tensor gx = autograd::grad({y}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  check_values(gx, {3, 12}, 0);
  Tensor gxx = autograd::grad({gx.sum()}, {x}, {}, /*retain_graph=*/true)[0];
  check_values(gxx, {6, 12}, 0);
  // the graph of gx (built by create_graph) reads x: editing x now is caught there too
  x.detach().add_(1.0);
  REQUIRE_THROWS_WITH(autograd::grad({gx.sum()}, {x}), Contains("mul backward") && Contains("modified in place"));
}

TEST_CASE("indices, masks and other outputs a backward reads are version-checked too", "[autograd][version]") {
  SECTION("max's indices") {
    // x = [[1,3,2]]: max over dim 1 picks index 1; editing the returned indices
    // would route the gradient to x_0 (PyTorch raises here too)
    Tensor x = tensor(std::vector<double>{1, 3, 2}, {1, 3}).requires_grad_();
    auto [values, indices] = x.max(1);
    indices.fill_(0);
    REQUIRE_THROWS_WITH(values.sum().backward(),
                        Contains("max backward: its indices of shape (1) was modified in place after max used it"));
  }
  SECTION("gather's index") {
    Tensor x = param({1, 2, 3});
    Tensor index = tensor(std::vector<int64_t>{2, 0});
    Tensor y = gather(x, 0, index);
    index.zero_();
    REQUIRE_THROWS_WITH(y.sum().backward(), Contains("gather backward: its index of shape (2) was modified in place"));
  }
  SECTION("embedding's indices") {
    Tensor weight = tensor(std::vector<double>(6, 1.0), {3, 2}).requires_grad_();
    Tensor ids = tensor(std::vector<int64_t>{0, 2});
    Tensor y = embedding(weight, ids);
    ids.fill_(1);
    REQUIRE_THROWS_WITH(y.sum().backward(), Contains("embedding backward: its indices of shape (2) was modified"));
  }
  SECTION("where's condition") {
    Tensor a = param({1, 2}), b = param({3, 4});
    Tensor cond = tensor(std::vector<bool>{true, false});
    Tensor y = where(cond, a, b);
    cond.copy_(tensor(std::vector<bool>{false, true}));
    REQUIRE_THROWS_WITH(y.sum().backward(), Contains("where backward: its condition of shape (2) was modified"));
  }
  SECTION("eigh's eigenvectors, edited through the returned output") {
    Tensor A = tensor(std::vector<double>{2, 1, 1, 3}, {2, 2}).requires_grad_();
    auto [w, V] = linalg::eigh(A);
    {
      NoGradGuard no_grad;
      V.mul_(2.0);
    }
    REQUIRE_THROWS_WITH((w * vec({1.0, 2.0})).sum().backward(),
                        Contains("eigh_eigenvalues backward: its eigenvectors of shape (2,2) was modified"));
  }
  SECTION("unedited, the same ops still differentiate") {
    // d/dx sum(max(x, 1)) = one-hot at the argmax
    Tensor x = tensor(std::vector<double>{1, 3, 2}, {1, 3}).requires_grad_();
    std::get<0>(x.max(1)).sum().backward();
    check_values(x.grad(), {0, 1, 0});
  }
}
