#include "tests/models/train/training_models.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <tuple>

#include "autograd/grad_mode.h"
#include "dgm.h"
#include "models/train/optimizers.h"
#include "models/train/presets.h"
#include "nn/io/density_map.h"
#include "nn/modules/activation.h"
#include "nn/modules/container.h"
#include "tensor/factories.h"

namespace dgm::test {

using dgm::exp;
using dgm::softplus;

using models::Batch;
using models::Losses;
using models::SampleOptions;

DiagonalGaussian::DiagonalGaussian(int64_t dim, std::shared_ptr<DiagonalGaussian> parent_)
    : parent(std::move(parent_)) {
  mean = register_parameter("mean", zeros({dim}));
  log_std = register_parameter("log_std", zeros({dim}));
}

// log N(x; m, s^2) = -sum_d [ (x_d - m_d)^2 / (2 s_d^2) + log s_d + log(2 pi) / 2 ]
Tensor DiagonalGaussian::log_prob(const Tensor& x) const {
  Tensor z = (x - mean) * exp(-log_std);
  return -(0.5 * z.square() + log_std + 0.5 * std::log(2 * M_PI)).sum(std::vector<int64_t>{1});
}

Losses DiagonalGaussian::loss(const Batch& batch) { return {{"loss", -log_prob(batch.x).mean()}}; }

void DiagonalGaussian::save_pictures(const std::string& dir, const Batch& test, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test, n_samples, gen);
  if (!parent)
    nn::io::save_density_map(
        dir + "/density.png", [this](const Tensor& x) { return log_prob(x); }, -10, 10, -10, 10, 100, test.x);
}

Tensor DiagonalGaussian::sample(int64_t n, const SampleOptions& options) {
  Tensor z = randn({n, mean.size(0)}, TensorOptions(), options.gen) * exp(log_std) + mean;
  return parent ? parent->decode(z) : z;
}

Tensor DiagonalGaussian::encode(const Tensor& x) const { return (x - mean) * exp(-log_std); }
Tensor DiagonalGaussian::decode(const Tensor& z) const { return z * exp(log_std) + mean; }

namespace {

// A GAN on 2-D points with the non-saturating loss:
//   critic:    softplus(-D(x)) + softplus(D(G(z)))   (= BCE of real 1 / fake 0)
//   generator: softplus(-D(G(z)))
// G(z) = A z + b is affine, D an MLP. train_step updates the critic on every
// call and the generator on every n_critic-th call; the call count is a
// buffer, so it is in the checkpoint and a resumed run continues the cycle.
class GAN2d : public models::GenerativeModel {
 public:
  explicit GAN2d(int64_t n_critic) : n_critic_(n_critic) {
    generator = register_module("generator", std::make_shared<nn::Linear>(2, 2));
    critic = register_module("critic", std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(2, 32),
                                                                        std::make_shared<nn::LeakyReLU>(0.2),
                                                                        std::make_shared<nn::Linear>(32, 1)));
    calls = register_buffer("calls", zeros({}, kInt64));
  }
  std::string name() const override { return "GAN2d"; }

  std::map<std::string, std::vector<Tensor>> optimizer_groups() override {
    return {{"generator", generator->parameters()}, {"critic", critic->parameters()}};
  }

  Losses loss(const Batch& batch) override {
    Tensor fake = sample(batch.size());
    Tensor critic_loss = (softplus(-critic->forward(batch.x)) + softplus(critic->forward(fake))).mean();
    Tensor generator_loss = softplus(-critic->forward(fake)).mean();
    return {{"critic_loss", critic_loss}, {"generator_loss", generator_loss}};
  }

  Losses train_step(const Batch& batch, models::train::Optimizers& opt) override {
    opt.zero_grad("critic");
    Tensor fake = sample(batch.size()).detach();
    Tensor critic_loss = (softplus(-critic->forward(batch.x)) + softplus(critic->forward(fake))).mean();
    critic_loss.backward();
    opt.step("critic");
    Losses out{{"critic_loss", critic_loss.detach()}};
    const int64_t call = calls.item<int64_t>() + 1;
    {
      NoGradGuard no_grad;
      calls.fill_(static_cast<double>(call));
    }
    if (call % n_critic_ == 0) {
      opt.zero_grad("generator");
      Tensor generator_loss = softplus(-critic->forward(sample(batch.size()))).mean();
      generator_loss.backward();
      opt.step("generator");
      out["generator_loss"] = generator_loss.detach();
    }
    return out;
  }

  Tensor sample(int64_t n, const SampleOptions& options = {}) override {
    return generator->forward(randn({n, 2}, TensorOptions(), options.gen));
  }

  std::shared_ptr<nn::Linear> generator;
  std::shared_ptr<nn::Sequential> critic;
  Tensor calls;

 private:
  int64_t n_critic_;
};

// A class-conditional isotropic Gaussian: mean mu_y per class, one log std:
//   loss = mean over the batch of -log N(x; mu_y, s^2 I).
// sample(n, {labels, guidance}) draws N(mu_label, (s / (1 + guidance))^2 I):
// this test model reads guidance as a temperature, to show the option reaches
// sample() (diffusion models use it for classifier-free guidance).
class Conditional2d : public models::GenerativeModel {
 public:
  explicit Conditional2d(int64_t classes) : classes_(classes) {
    means = register_parameter("means", zeros({classes, 2}));
    log_std = register_parameter("log_std", zeros({}));
  }
  std::string name() const override { return "Conditional2d"; }
  int64_t num_classes() const override { return classes_; }
  std::vector<std::string> sample_options() const override { return {"labels", "guidance"}; }
  Losses loss(const Batch& batch) override {
    DGM_CHECK(batch.has_labels(), "Conditional2d::loss: the batch has no labels");
    Tensor mu = means.index_select(0, batch.y);
    Tensor z = (batch.x - mu) * exp(-log_std);
    // -log N = |z|^2 / 2 + 2 log s + log(2 pi)
    Tensor nll = (0.5 * z.square().sum(std::vector<int64_t>{1}) + 2.0 * log_std + std::log(2 * M_PI)).mean();
    return {{"loss", nll}};
  }
  Tensor sample(int64_t n, const SampleOptions& options = {}) override {
    DGM_CHECK(options.labels.defined() && options.labels.size(0) == n, "Conditional2d::sample: needs ", n, " labels");
    Tensor mu = means.index_select(0, options.labels);
    return mu + randn({n, 2}, TensorOptions(), options.gen) * exp(log_std) / (1.0 + options.guidance);
  }
  Tensor means, log_std;

 private:
  int64_t classes_;
};

// One parameter theta, loss = (theta - 3)^2 / 2 whatever the batch: its SGD
// trajectory, schedule and EMA have closed forms the test recomputes.
class Scalar : public models::GenerativeModel {
 public:
  Scalar() { theta = register_parameter("theta", zeros({1})); }
  std::string name() const override { return "Scalar"; }
  Losses loss(const Batch&) override { return {{"loss", 0.5 * (theta - 3.0).square().sum()}}; }
  Tensor sample(int64_t n, const SampleOptions&) override { return theta.detach().expand({n, 1}).contiguous(); }
  Tensor theta;
};

// Scalar's loss, plus a second logged key "aux" = theta^2 that is NaN on training step `nan_loss_at`,
// and a NaN gradient on training step `nan_grad_at` (0: never): a run that diverges at a known step.
// The step count is a buffer, so a resumed run keeps counting.
class Diverging : public models::GenerativeModel {
 public:
  Diverging(int64_t nan_loss_at, int64_t nan_grad_at) : nan_loss_at_(nan_loss_at), nan_grad_at_(nan_grad_at) {
    theta = register_parameter("theta", zeros({1}));
    calls = register_buffer("calls", zeros({}, kInt64));
  }
  std::string name() const override { return "Diverging"; }
  Losses loss(const Batch&) override {
    Tensor aux = theta.detach().square().sum();
    if (is_training() && calls.item<int64_t>() + 1 == nan_loss_at_) aux = aux * std::nan("");
    return {{"loss", 0.5 * (theta - 3.0).square().sum()}, {"aux", aux}};
  }
  Losses train_step(const Batch& batch, models::train::Optimizers& opt) override {
    opt.zero_grad("model");
    Losses losses = loss(batch);
    losses.at("loss").backward();
    const int64_t call = calls.item<int64_t>() + 1;
    {
      NoGradGuard no_grad;
      calls.fill_(static_cast<double>(call));
      if (call == nan_grad_at_) theta.grad().fill_(std::numeric_limits<double>::infinity());
    }
    opt.step("model");
    return losses;
  }
  Tensor sample(int64_t n, const SampleOptions&) override { return theta.detach().expand({n, 1}).contiguous(); }
  Tensor theta, calls;

 private:
  int64_t nan_loss_at_, nan_grad_at_;
};

// A model whose checkpoint is a few MB (a 1M-element parameter with Adam's two moments: 12 MB), so that
// writing it dominates a training step: the kill test (kill_driver.cpp) kills runs while they save.
class Heavy : public models::GenerativeModel {
 public:
  Heavy() { w = register_parameter("w", zeros({1 << 20})); }
  std::string name() const override { return "Heavy"; }
  // (w - 3)^2 / 2 averaged over the elements, whatever the batch.
  Losses loss(const Batch&) override { return {{"loss", 0.5 * (w - 3.0).square().mean()}}; }
  Tensor sample(int64_t n, const SampleOptions&) override { return w.detach().narrow(0, 0, 2).expand({n, 2}); }
  Tensor w;
};

models::TrainSettings tiny(int64_t epochs, int64_t batch, double lr) {
  models::TrainSettings t = models::train::settings(epochs, batch, lr);
  t.samples = 256;
  return t;
}

}  // namespace

std::string fresh_temp_dir(const std::string& suite, const std::string& name) {
  std::filesystem::path p =
      std::filesystem::temp_directory_path() / ("dgm_" + suite + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p.string();
}

models::train::RunConfig quiet_run_config(const std::string& model, const std::string& out) {
  register_test_models();
  models::train::RunConfig c;
  c.model = model;
  c.out = out;
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  c.log = quiet;
  return c;
}

void register_test_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    models::Registry& r = models::registry();
    r.add_family({"test", "test-only models of the training path", "tests/models/train"});
    {
      models::ModelSpec s;
      s.name = "gan2d";
      s.family = "test";
      s.description = "non-saturating GAN on 2-D points, affine generator, n_critic = 5";
      s.loss_unit = "critic BCE";
      s.datasets = {"gmm2d"};
      models::TrainSettings t = tiny(15, 64, 1e-3);
      models::train::OptimizerSpec g, c;
      g.lr = 5e-2;
      g.beta1 = 0.5;
      g.beta2 = 0.9;
      c.lr = 5e-3;
      c.beta1 = 0.0;
      c.beta2 = 0.99;
      t.optimizers = {{"generator", g}, {"critic", c}};
      t.loss_key = "critic_loss";
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext&) { return std::make_shared<GAN2d>(5); };
      r.add(std::move(s));
    }
    {
      models::ModelSpec s;
      s.name = "cond2d";
      s.family = "test";
      s.description = "class-conditional Gaussian on the 8-Gaussians ring";
      s.loss_unit = "nats per point";
      s.datasets = {"8gaussians"};
      s.conditional = true;
      models::TrainSettings t = tiny(3, 256, 5e-2);
      t.optimizers.at("model").schedule.kind = "step";
      t.optimizers.at("model").schedule.gamma = 0.1;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext&) { return std::make_shared<Conditional2d>(8); };
      r.add(std::move(s));
    }
    {
      models::ModelSpec s;
      s.name = "scalar";
      s.family = "test";
      s.description = "one parameter, loss (theta - 3)^2 / 2, SGD with warm-up, cosine schedule, clipping, EMA";
      s.loss_unit = "squared error";
      s.datasets = {"moons"};
      models::TrainSettings t = tiny(3, 500, 0.2);
      models::train::OptimizerSpec& o = t.optimizers.at("model");
      o.kind = "sgd";
      o.clip_grad_norm = 1.0;
      o.schedule.kind = "cosine";
      o.schedule.unit = "step";
      o.schedule.warmup = 10;
      t.ema_decay = 0.9;
      t.samples = 0;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext&) { return std::make_shared<Scalar>(); };
      r.add(std::move(s));
    }
    for (const auto& [name, loss_at, grad_at] :
         {std::tuple<const char*, int64_t, int64_t>{"nan-loss", 12, 0}, {"nan-grad", 0, 12}}) {
      models::ModelSpec s;
      s.name = name;
      s.family = "test";
      s.description = "diverges on training step 12 (epoch 2): a NaN loss \"aux\", or an infinite gradient";
      s.loss_unit = "squared error";
      s.datasets = {"moons"};
      models::TrainSettings t = tiny(3, 500, 0.1);  // moons: 4000 points, 8 steps per epoch
      t.optimizers.at("model").kind = "sgd";
      t.samples = 0;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [loss_at, grad_at](const models::MakeContext&) { return std::make_shared<Diverging>(loss_at, grad_at); };
      r.add(std::move(s));
    }
    {
      models::ModelSpec s;
      s.name = "heavy";
      s.family = "test";
      s.description = "a 4 MB parameter (12 MB checkpoint with Adam) for the kill test; one step per epoch";
      s.loss_unit = "squared error";
      s.datasets = {"moons"};
      models::TrainSettings t = tiny(40, 8, 1e-2);
      t.limit = 8;  // one step per epoch: a checkpoint after every step
      t.test_limit = 8;
      t.samples = 0;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext&) { return std::make_shared<Heavy>(); };
      r.add(std::move(s));
    }
    {
      models::ModelSpec s;
      s.name = "gauss2d";
      s.family = "test";
      s.description = "diagonal Gaussian fitted by maximum likelihood (first stage)";
      s.loss_unit = "nats per point";
      s.datasets = {"gmm2d"};
      models::TrainSettings t = tiny(8, 128, 1e-1);
      t.optimizers.at("model").schedule.kind = "step";
      t.optimizers.at("model").schedule.gamma = 0.5;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext&) { return std::make_shared<DiagonalGaussian>(2); };
      r.add(std::move(s));
    }
    {
      models::ModelSpec s;
      s.name = "gauss2d-codes";
      s.family = "test";
      s.description = "diagonal Gaussian on the standardized codes of a trained gauss2d (second stage)";
      s.loss_unit = "nats per point";
      s.datasets = {"gmm2d"};
      s.from = "gauss2d";
      models::TrainSettings t = tiny(8, 128, 1e-1);
      t.optimizers.at("model").schedule.kind = "step";
      t.optimizers.at("model").schedule.gamma = 0.5;
      s.presets = {{"quick", t}, {"course", t}};
      s.make = [](const models::MakeContext& context) {
        auto parent = std::dynamic_pointer_cast<DiagonalGaussian>(context.parent);
        DGM_CHECK(parent, "gauss2d-codes: needs a trained gauss2d as its parent");
        return std::make_shared<DiagonalGaussian>(2, parent);
      };
      s.stage_data = [](models::GenerativeModel& parent, const Batch& split) {
        return Batch(dynamic_cast<DiagonalGaussian&>(parent).encode(split.x).detach());
      };
      r.add(std::move(s));
    }
  });
}

}  // namespace dgm::test
