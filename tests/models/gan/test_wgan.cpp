// The WGANs of models/gan/wgan.h beyond the homework's tests: the training step's schedule (one critic step per
// call, one generator step per n_critic calls, clipping after each critic step), evaluation without a graph,
// generate() in [0, 1], the weight histogram against hand counts, the errors on bad input, and the WGAN-GP
// penalty's gradient with respect to the ConvCritic's weights (a double backward through convolutions, pools and
// ReLUs) against float64 central differences.
#include <cmath>

#include "models/gan/penalties.h"
#include "models/gan/wgan.h"
#include "models/gan/wgan_pictures.h"
#include "models/train/optimizers.h"
#include "tests/helpers.h"

using namespace dgm;
namespace gan = dgm::models::gan;

namespace {

models::train::Optimizers optimizers_of(gan::WGAN& model, const std::string& kind, double lr) {
  models::train::OptimizerSpec o;
  o.kind = kind;
  o.lr = lr;
  return models::train::Optimizers(model.optimizer_groups(), {{"critic", o}, {"generator", o}}, "critic_loss");
}

std::vector<double> flat(const std::vector<Tensor>& ps) {
  std::vector<double> out;
  for (const Tensor& p : ps)
    for (double v : p.detach().to_vector<double>()) out.push_back(v);
  return out;
}

}  // namespace

TEST_CASE("WGAN train_step: a critic step every call, a generator step every n_critic-th, clipped weights",
          "[gan][wgan]") {
  manual_seed(11);
  // width 8: with 4 channels and every weight at +-0.01 this seed's critic ends with all features negative, its
  // last ReLU dead and every gradient but the last bias's zero (a known weakness of clipping)
  gan::WGAN model(8, 8, 0.01, 1, 3);
  // RMSprop's first steps are about 10 lr: 0.01, as large as the box, so the critic leaves it unless clipped
  auto opt = optimizers_of(model, "rmsprop", 1e-3);
  Tensor x = rand({4, 1, 32, 32}) * 2.0 - 1.0;
  for (int call = 1; call <= 6; ++call) {
    INFO("call " << call);
    const std::vector<double> g0 = flat(model.generator->parameters()), c0 = flat(model.critic->parameters());
    models::Losses l = model.train_step(models::Batch(x), opt);
    CHECK(flat(model.critic->parameters()) != c0);
    const bool generator_step = call % 3 == 0;
    CHECK((flat(model.generator->parameters()) != g0) == generator_step);
    CHECK(l.count("generator_loss") == (generator_step ? 1u : 0u));
    CHECK(l.count("critic_loss") == 1);
    for (const auto& [k, v] : l) CHECK(!v.requires_grad());
    for (double w : flat(model.critic->parameters())) REQUIRE(std::fabs(w) <= 0.01);
  }
  CHECK(model.calls.item<int64_t>() == 6);
  CHECK(opt.steps("critic") == 6);
  CHECK(opt.steps("generator") == 2);
}

TEST_CASE("WGAN-GP evaluates its losses without a graph (NoGradGuard) and generates images in [0, 1]", "[gan][wgan]") {
  manual_seed(12);
  gan::WGAN_GP model(10.0, 8, 4, 1);
  model.eval();
  models::Losses l;
  {
    NoGradGuard no_grad;
    l = model.loss(models::Batch(rand({3, 1, 32, 32}) * 2.0 - 1.0));
  }
  for (const char* key :
       {"critic_loss", "critic_loss_fake", "critic_loss_real", "gradient_penalty_loss", "generator_loss"}) {
    INFO(key);
    REQUIRE(l.count(key) == 1);
    CHECK(std::isfinite(l.at(key).item()));
    CHECK(!l.at(key).requires_grad());
  }
  CHECK(l.at("gradient_penalty_loss").item() > 0);
  Tensor images = model.generate(5);
  REQUIRE(images.shape() == Shape{5, 1, 32, 32});
  CHECK(images.min().item() >= 0.0);
  CHECK(images.max().item() <= 1.0);
}

TEST_CASE("weight_histogram counts by hand", "[gan][wgan]") {
  // bins of width 0.5 over [-1, 1]: [-1,-.5) [-.5,0) [0,.5) [.5,1]; 1.0 falls in the last bin, 1.5 in none
  Tensor a = tensor(std::vector<float>{-1.0f, -0.75f, -0.5f, 0.0f, 0.25f}, {5});
  Tensor b = tensor(std::vector<float>{0.5f, 1.0f, 1.5f, -0.1f}, {2, 2});
  CHECK(gan::weight_histogram({a, b}, 4, -1, 1).to_vector<int64_t>() == std::vector<int64_t>{2, 2, 2, 2});
}

TEST_CASE("WGAN refuses bad input with clear errors", "[gan][wgan]") {
  manual_seed(13);
  gan::WGAN model(8, 4, std::nullopt, 1);
  CHECK_THROWS_WITH(model.loss(models::Batch(zeros({2, 1, 28, 28}))),
                    Catch::Contains("expected images (B, 1, 32, 32) in [-1, 1], got (2,1,28,28)"));
  CHECK_THROWS_WITH(model.critic_losses(zeros({2, 1, 32, 32}), zeros({3, 1, 32, 32})),
                    Catch::Contains("must have the real images' shape"));
  CHECK_THROWS_WITH(model.generator->forward(zeros({2, 5})), Catch::Contains("ConvGenerator: expected noise (B, 8)"));
  CHECK_THROWS_WITH(model.critic->clip_weights(), Catch::Contains("the critic has no clip_c"));
  CHECK_THROWS_WITH(gan::ConvCritic(4, -0.1), Catch::Contains("clip_c must be positive"));
  CHECK_THROWS_WITH(gan::WGAN(8, 4, std::nullopt, 1, 0), Catch::Contains("n_critic must be positive"));
  CHECK_THROWS_WITH(gan::avg_pool(zeros({1, 1, 3, 4})), Catch::Contains("H and W even"));
}

TEST_CASE("WGAN-GP penalty on a ConvCritic: its weight gradient (double backward) matches central differences",
          "[gan][wgan]") {
  manual_seed(14);
  auto critic = std::make_shared<gan::ConvCritic>(2, std::nullopt, 1);
  critic->to(kFloat64);
  Tensor real = test::uniform_values({2, 1, 32, 32}, -1, 1, 41), fake = test::uniform_values({2, 1, 32, 32}, -1, 1, 42);
  auto penalty = [&] {
    Generator gen(9);  // the same interpolation weights t at every call
    return gan::gradient_penalty([&](const Tensor& x) { return critic->forward(x); }, real, fake, &gen);
  };
  critic->zero_grad();
  penalty().backward();
  // a few entries of every parameter: the first and last of each tensor
  for (auto& [name, p] : critic->named_parameters()) {
    // the last bias shifts f, not its input gradient: it gets no gradient (0)
    std::vector<double> analytic =
        p.grad().defined() ? p.grad().to_vector<double>() : std::vector<double>(static_cast<size_t>(p.numel()), 0.0);
    for (int64_t k : {int64_t{0}, p.numel() - 1}) {
      const double h = 1e-6;
      Tensor flat_p = p.detach().view({-1});
      const double w = flat_p.narrow(0, k, 1).item();
      flat_p.narrow(0, k, 1).fill_(w + h);
      const double fp = penalty().item();
      flat_p.narrow(0, k, 1).fill_(w - h);
      const double fm = penalty().item();
      flat_p.narrow(0, k, 1).fill_(w);
      const double numeric = (fp - fm) / (2 * h);
      INFO(name << "[" << k << "]: analytic " << analytic[k] << ", central difference " << numeric);
      CHECK(std::fabs(analytic[k] - numeric) <= 1e-6 + 1e-5 * std::fabs(numeric));
    }
  }
}
