// nn::Module (registration, traversal, modes, state dicts, conversion,
// printing) and nn::init (statistics of the initializers).
#include <cmath>
#include <memory>

#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::uniform_values;

namespace {

// A module with its own parameter, a buffer and a child.
struct Block : nn::Module {
  std::shared_ptr<nn::Linear> fc;
  Tensor scale, count;
  Block() {
    fc = register_module("fc", std::make_shared<nn::Linear>(3, 3));
    scale = register_parameter("scale", ones({3}));
    count = register_buffer("count", zeros({1}));
  }
  Tensor forward(const Tensor& x) override { return fc->forward(x) * scale; }
  std::string name() const override { return "Block"; }
};

std::shared_ptr<nn::Sequential> mlp() {
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 2), std::make_shared<nn::ReLU>(),
                                          std::make_shared<nn::Linear>(2, 3));
}

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& kv : named) out.push_back(kv.first);
  return out;
}

}  // namespace

TEST_CASE("named_parameters of a Sequential skip parameterless layers", "[module]") {
  auto net = mlp();
  REQUIRE(names_of(net->named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  REQUIRE(net->parameters().size() == 4);
  REQUIRE(net->parameters(/*recurse=*/false).empty());
  REQUIRE(net->named_parameters()[2].second.shape() == Shape{3, 2});
  for (const Tensor& p : net->parameters()) REQUIRE(p.requires_grad());
  REQUIRE(net->children().size() == 3);
  REQUIRE(net->size() == 3);
  REQUIRE((*net)[-1]->name() == "Linear");
  REQUIRE(net->at<nn::Linear>(0)->out_features == 2);
  REQUIRE_THROWS_WITH(net->at<nn::Linear>(1), Catch::Contains("ReLU"));
  REQUIRE_THROWS_WITH((*net)[3], Catch::Contains("index 3"));
}

TEST_CASE("nested modules: dotted names, own parameters first, buffers, modules()", "[module]") {
  auto outer = std::make_shared<nn::Module>();
  auto enc = outer->register_module("encoder", std::make_shared<nn::Sequential>());
  enc->push_back(std::make_shared<nn::Linear>(4, 3));
  enc->push_back(std::make_shared<Block>());
  outer->register_module("norm", std::make_shared<nn::BatchNorm1d>(3));
  REQUIRE(names_of(outer->named_parameters()) ==
          std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.1.scale", "encoder.1.fc.weight",
                                   "encoder.1.fc.bias", "norm.weight", "norm.bias"});
  REQUIRE(names_of(outer->named_buffers()) == std::vector<std::string>{"encoder.1.count", "norm.running_mean",
                                                                       "norm.running_var", "norm.num_batches_tracked"});
  std::vector<std::string> module_names;
  for (auto& kv : outer->named_modules()) module_names.push_back(kv.first);
  REQUIRE(module_names == std::vector<std::string>{"", "encoder", "encoder.0", "encoder.1", "encoder.1.fc", "norm"});
  REQUIRE(outer->modules().size() == 6);
  // A weight shared by two layers is listed once.
  auto a = std::make_shared<nn::Linear>(2, 2);
  auto tied = std::make_shared<nn::Module>();
  tied->register_module("a", a);
  tied->register_module("b", std::make_shared<nn::Module>())->register_parameter("w", a->weight);
  REQUIRE(tied->parameters().size() == 2);
}

TEST_CASE("registration rejects bad and duplicate names", "[module]") {
  nn::Module m;
  m.register_parameter("w", zeros({2}));
  REQUIRE_THROWS_WITH(m.register_parameter("w", zeros({2})), Catch::Contains("\"w\" is already registered"));
  REQUIRE_THROWS_WITH(m.register_buffer("a.b", zeros({2})), Catch::Contains("must not contain"));
  REQUIRE_THROWS_WITH(m.register_parameter("i", zeros({2}, kInt64)), Catch::Contains("floating point"));
  REQUIRE_THROWS_WITH(m.forward(zeros({1})), Catch::Contains("no forward"));
  // An undefined tensor (bias=false) is not registered.
  REQUIRE_FALSE(m.register_parameter("none", Tensor()).defined());
  REQUIRE(m.parameters().size() == 1);
  REQUIRE(nn::Linear(3, 2, false).parameters().size() == 1);
  // A tensor with a history is detached into a leaf.
  Tensor x = ones({2}).requires_grad_();
  Tensor p = m.register_parameter("p", x * 2.0);
  REQUIRE(p.is_leaf());
  REQUIRE(p.requires_grad());
}

TEST_CASE("train and eval propagate to every descendant", "[module]") {
  auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::Dropout>(0.5), mlp());
  for (auto& m : net->modules()) REQUIRE(m->is_training());
  net->eval();
  for (auto& m : net->modules()) REQUIRE_FALSE(m->is_training());
  Tensor x = ones({8, 4});
  REQUIRE(net->at<nn::Dropout>(0)->forward(x).is_same(x));  // identity in evaluation
  net->train();
  for (auto& m : net->modules()) REQUIRE(m->is_training());
}

TEST_CASE("zero_grad resets gradients to undefined", "[module]") {
  auto net = mlp();
  net->forward(ones({5, 4})).sum().backward();
  for (const Tensor& p : net->parameters()) REQUIRE(p.grad().defined());
  net->zero_grad();
  for (const Tensor& p : net->parameters()) REQUIRE_FALSE(p.grad().defined());
}

TEST_CASE("state_dict round trip reproduces the outputs", "[module]") {
  auto a = mlp(), b = mlp();
  Tensor x = uniform_values({3, 4}).to(kFloat32);
  nn::StateDict sd = a->state_dict();
  REQUIRE(sd.size() == 4);
  REQUIRE(sd.count("2.bias") == 1);
  REQUIRE_FALSE(sd.at("0.weight").requires_grad());
  REQUIRE(sd.at("0.weight").storage_offset() == a->at<nn::Linear>(0)->weight.storage_offset());
  Tensor w_before = b->at<nn::Linear>(0)->weight;
  auto result = b->load_state_dict(sd);
  REQUIRE(result.missing_keys.empty());
  REQUIRE(result.unexpected_keys.empty());
  check_values(b->forward(x), a->forward(x).to_vector<double>(), 0, 0);
  // Loaded in place: the same tensors, still parameters.
  REQUIRE(b->at<nn::Linear>(0)->weight.is_same(w_before));
  REQUIRE(w_before.requires_grad());
  // Buffers are saved and loaded too.
  auto bn1 = std::make_shared<nn::BatchNorm1d>(2), bn2 = std::make_shared<nn::BatchNorm1d>(2);
  bn1->forward(uniform_values({4, 2}).to(kFloat32));
  REQUIRE(bn1->state_dict().size() == 5);
  bn2->load_state_dict(bn1->state_dict());
  check_values(bn2->running_mean, bn1->running_mean.to_vector<double>(), 0, 0);
  REQUIRE(bn2->num_batches_tracked.item<int64_t>() == 1);
}

TEST_CASE("load_state_dict names missing and unexpected keys and shape mismatches", "[module]") {
  auto net = mlp();
  nn::StateDict sd = mlp()->state_dict();
  nn::StateDict missing = sd;
  missing.erase("2.weight");
  REQUIRE_THROWS_WITH(net->load_state_dict(missing),
                      Catch::Contains("Sequential.load_state_dict") && Catch::Contains("missing keys: \"2.weight\""));
  nn::StateDict extra = sd;
  extra["3.weight"] = ones({1});
  REQUIRE_THROWS_WITH(net->load_state_dict(extra), Catch::Contains("unexpected keys: \"3.weight\""));
  nn::StateDict wrong = sd;
  wrong["0.weight"] = ones({4, 2});
  REQUIRE_THROWS_WITH(net->load_state_dict(wrong), Catch::Contains("size mismatch for 0.weight") &&
                                                       Catch::Contains("expected shape (2,4), got (4,2)"));
  // Non-strict: missing and unexpected keys are reported, not thrown; a shape mismatch still throws.
  auto result = net->load_state_dict(extra, /*strict=*/false);
  REQUIRE(result.unexpected_keys == std::vector<std::string>{"3.weight"});
  result = net->load_state_dict(missing, false);
  REQUIRE(result.missing_keys == std::vector<std::string>{"2.weight"});
  REQUIRE_THROWS_WITH(net->load_state_dict(wrong, false), Catch::Contains("size mismatch"));
}

TEST_CASE("to(dtype) converts parameters and buffers in place, keeping the handles", "[module]") {
  auto bn = std::make_shared<nn::BatchNorm2d>(2);
  auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::Conv2d>(1, 2, 3), bn);
  Tensor w = net->at<nn::Conv2d>(0)->weight;
  std::vector<double> before = w.to_vector<double>();
  net->forward(ones({2, 1, 4, 4})).sum().backward();
  net->to(kFloat64);
  REQUIRE(w.dtype() == kFloat64);
  REQUIRE(w.is_same(net->parameters()[0]));
  REQUIRE(w.requires_grad());
  REQUIRE(w.grad().dtype() == kFloat64);
  check_values(w, before, 0, 0);
  REQUIRE(bn->running_var.dtype() == kFloat64);
  REQUIRE(bn->num_batches_tracked.dtype() == kInt64);  // only floating point tensors convert
  Tensor y = net->forward(ones({1, 1, 4, 4}, kFloat64));
  REQUIRE(y.dtype() == kFloat64);
  net->to(Device(kCPU));  // a no-op on the CPU
  REQUIRE_THROWS_WITH(net->to(kInt64), Catch::Contains("floating point"));
}

TEST_CASE("operator<< prints the module tree as PyTorch's repr", "[module]") {
  auto net = std::make_shared<nn::Sequential>(
      std::make_shared<nn::Linear>(4, 2), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Conv2d>(1, 2, 3, 2, 1, 1, 1, false), std::make_shared<nn::BatchNorm2d>(3),
      std::make_shared<nn::LayerNorm>(Shape{4}), std::make_shared<nn::Upsample>(std::nullopt, 2.0),
      std::make_shared<nn::Dropout>(0.1), std::make_shared<nn::GroupNorm>(2, 4),
      std::make_shared<nn::Embedding>(5, 3, 1), std::make_shared<nn::ConvTranspose2d>(2, 4, 3, 2, 0, 1));
  // print(repr(torch.nn.Sequential(...the same layers...))) with PyTorch 1.13.
  const char* expected = R"(Sequential(
  (0): Linear(in_features=4, out_features=2, bias=True)
  (1): ReLU()
  (2): Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
  (3): BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (4): LayerNorm((4,), eps=1e-05, elementwise_affine=True)
  (5): Upsample(scale_factor=2.0, mode=nearest)
  (6): Dropout(p=0.1, inplace=False)
  (7): GroupNorm(2, 4, eps=1e-05, affine=True)
  (8): Embedding(5, 3, padding_idx=1)
  (9): ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))
))";
  REQUIRE(nn::to_string(*net) == expected);
  auto outer = std::make_shared<nn::Module>();
  outer->register_module("body", mlp());
  REQUIRE(nn::to_string(*outer) ==
          "Module(\n  (body): Sequential(\n    (0): Linear(in_features=4, out_features=2, "
          "bias=True)\n    (1): ReLU()\n    (2): Linear(in_features=2, out_features=3, "
          "bias=True)\n  )\n)");
  REQUIRE(nn::py_float(0.25) == "0.25");
  REQUIRE(nn::py_float(3) == "3.0");
}

// ---- nn::init ----

namespace {

// Sample mean and (biased) variance of a tensor's elements.
std::pair<double, double> moments(const Tensor& t) {
  std::vector<double> v = t.to_vector<double>();
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  for (double x : v) s += (x - m) * (x - m);
  return {m, s / static_cast<double>(v.size())};
}

double max_abs(const Tensor& t) {
  double r = 0;
  for (double x : t.to_vector<double>()) r = std::max(r, std::fabs(x));
  return r;
}

}  // namespace

TEST_CASE("calculate_fan_in_and_fan_out and calculate_gain", "[module][init]") {
  REQUIRE(nn::init::calculate_fan_in_and_fan_out(zeros({8, 3, 5, 5})) == std::pair<int64_t, int64_t>{75, 200});
  REQUIRE(nn::init::calculate_fan_in_and_fan_out(zeros({4, 6})) == std::pair<int64_t, int64_t>{6, 4});
  REQUIRE_THROWS_WITH(nn::init::calculate_fan_in_and_fan_out(zeros({4})), Catch::Contains("at least 2 dims"));
  REQUIRE(nn::init::calculate_gain("relu") == Approx(std::sqrt(2.0)));
  REQUIRE(nn::init::calculate_gain("leaky_relu", std::sqrt(5.0)) == Approx(std::sqrt(1.0 / 3.0)));
  REQUIRE(nn::init::calculate_gain("tanh") == Approx(5.0 / 3.0));
  REQUIRE_THROWS_WITH(nn::init::calculate_gain("swish"), Catch::Contains("swish"));
}

TEST_CASE("kaiming_uniform_ bounds and variance", "[module][init]") {
  Generator gen(0);
  Tensor w = empty({256, 64}, kFloat64).requires_grad_();
  // a = sqrt(5): gain sqrt(1/3), bound = sqrt(3) gain / sqrt(64) = 1/8; Var U(-b, b) = b^2/3.
  nn::init::kaiming_uniform_(w, std::sqrt(5.0), "fan_in", "leaky_relu", &gen);
  REQUIRE(w.requires_grad());
  const double b = 0.125;
  REQUIRE(max_abs(w) <= b);
  REQUIRE(max_abs(w) > 0.999 * b);  // 16384 draws: P(max < 0.999 b) = 0.999^16384 ~ 1e-7
  auto [m, v] = moments(w);
  // sd of the sample variance of U(-b, b): b^2 sqrt(4/45) / sqrt(n) = 0.0023 b^2; allow ~5 sd.
  REQUIRE(std::fabs(v - b * b / 3) < 0.035 * b * b / 3);
  REQUIRE(std::fabs(m) < 5 * b / std::sqrt(3.0) / 128);
  // relu, fan_out: bound = sqrt(3) sqrt(2) / sqrt(256).
  nn::init::kaiming_uniform_(w, 0, "fan_out", "relu", &gen);
  REQUIRE(max_abs(w) <= std::sqrt(6.0) / 16);
  REQUIRE_THROWS_WITH(nn::init::kaiming_uniform_(w, 0, "fan_avg"), Catch::Contains("fan_avg"));
}

TEST_CASE("kaiming_normal_, xavier_uniform_, xavier_normal_ statistics", "[module][init]") {
  Generator gen(1);
  Tensor w = empty({128, 128}, kFloat64);
  // relu, fan_in 128: std^2 = 2/128. Sample variance of N: relative sd sqrt(2/n) = 1.1%; allow 5.5%.
  nn::init::kaiming_normal_(w, 0, "fan_in", "relu", &gen);
  REQUIRE(moments(w).second == Approx(2.0 / 128).epsilon(0.055));
  // xavier_normal_: std^2 = gain^2 * 2 / (fan_in + fan_out).
  nn::init::xavier_normal_(w, 2.0, &gen);
  REQUIRE(moments(w).second == Approx(4.0 * 2 / 256).epsilon(0.055));
  // xavier_uniform_: bound sqrt(6 / 256), variance bound^2 / 3 (relative sd 0.9%; allow 4.5%).
  nn::init::xavier_uniform_(w, 1.0, &gen);
  const double bound = std::sqrt(6.0 / 256);
  REQUIRE(max_abs(w) <= bound);
  REQUIRE(moments(w).second == Approx(bound * bound / 3).epsilon(0.045));
  // The same seed gives the same numbers.
  Generator g1(5), g2(5);
  Tensor a = nn::init::normal_(empty({10}), 0, 1, &g1), c = nn::init::normal_(empty({10}), 0, 1, &g2);
  check_values(a, c.to_vector<double>(), 0, 0);
  check_values(nn::init::constant_(empty({3}), 2.5), {2.5, 2.5, 2.5});
  check_values(nn::init::ones_(empty({2})), {1, 1});
  check_values(nn::init::zeros_(empty({2})), {0, 0});
  Tensor u = nn::init::uniform_(empty({1000}), 2, 3, &gen);
  REQUIRE(moments(u).first == Approx(2.5).epsilon(0.01));
}

TEST_CASE("layers start as PyTorch's defaults", "[module][init]") {
  // Linear(100, 50): weight and bias U(-1/sqrt(100), 1/sqrt(100)).
  nn::Linear lin(100, 50);
  REQUIRE(max_abs(lin.weight) <= 0.1);
  REQUIRE(max_abs(lin.weight) > 0.09);
  REQUIRE(max_abs(lin.bias) <= 0.1);
  REQUIRE(moments(lin.weight).second == Approx(0.01 / 3).epsilon(0.06));
  // Conv2d(4, 6, 3): fan_in = 4*9 = 36.
  nn::Conv2d conv(4, 6, 3);
  REQUIRE(max_abs(conv.weight) <= 1 / 6.0);
  REQUIRE(max_abs(conv.weight) > 0.9 / 6.0);
  REQUIRE(max_abs(conv.bias) <= 1 / 6.0);
  // ConvTranspose2d(4, 6, 3): weight (4, 6, 3, 3), fan_in = weight.size(1) * 9 = 54, as PyTorch.
  nn::ConvTranspose2d convt(4, 6, 3);
  REQUIRE(convt.weight.shape() == Shape{4, 6, 3, 3});
  REQUIRE(max_abs(convt.weight) <= 1 / std::sqrt(54.0));
  REQUIRE(max_abs(convt.weight) > 0.9 / std::sqrt(54.0));
  REQUIRE(max_abs(convt.bias) <= 1 / std::sqrt(54.0));
  // Embedding: N(0, 1), the padding row zero.
  nn::Embedding emb(200, 20, 3);
  check_values(emb.weight.select(0, 3), std::vector<double>(20, 0.0), 0, 0);
  REQUIRE(moments(emb.weight).second == Approx(1.0).epsilon(0.1));  // relative sd 2.2%
  // Norms: weight 1, bias 0.
  nn::GroupNorm gn(2, 4);
  check_values(gn.weight, {1, 1, 1, 1});
  check_values(gn.bias, {0, 0, 0, 0});
  nn::InstanceNorm2d in(3);
  REQUIRE(in.parameters().empty());
  REQUIRE(in.buffers().empty());
  // MultiheadAttention: xavier_uniform_ in_proj_weight (3E, E), zero biases.
  nn::MultiheadAttention mha(8, 2);
  REQUIRE(max_abs(mha.in_proj_weight) <= std::sqrt(6.0 / (8 + 24)));
  check_values(mha.in_proj_bias, std::vector<double>(24, 0.0), 0, 0);
  check_values(mha.out_proj->bias, std::vector<double>(8, 0.0), 0, 0);
  // reset_parameters with a generator is reproducible.
  Generator g1(9), g2(9);
  nn::Linear l1(3, 2), l2(3, 2);
  l1.reset_parameters(&g1);
  l2.reset_parameters(&g2);
  check_values(l1.weight, l2.weight.to_vector<double>(), 0, 0);
}
