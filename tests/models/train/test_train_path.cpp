// The training path every course family uses, proven on test-only models
// (tests/models/train/training_models.h): two optimizers with n_critic, labels
// into loss and sample, EMA, schedules and clipping against closed forms, a
// two-stage run, exact resume, pictures, and clear errors for bad options.
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "models/datasets.h"
#include "models/train/checkpoint.h"
#include "models/train/run.h"
#include "nn/data/toy_datasets.h"
#include "nn/io/metrics.h"
#include "nn/io/safetensors.h"
#include "tests/helpers.h"
#include "tests/models/train/run_checks.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& name) { return test::fresh_temp_dir("train_path", name); }

train::RunConfig config(const std::string& model, const std::string& out) { return test::quiet_run_config(model, out); }

nn::StateDict checkpoint(const std::string& dir) { return nn::io::load_safetensors(dir + "/checkpoint.safetensors"); }

// Every tensor of a and b (the RNG state too) is bit-identical.
void require_same_checkpoints(const nn::StateDict& a, const nn::StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [key, t] : a) {
    INFO("checkpoint entry " << key);
    REQUIRE(b.count(key));
    CHECK(t.to_vector<double>() == b.at(key).to_vector<double>());
  }
}

}  // namespace

TEST_CASE("a GAN steps its critic every call and its generator every 5th, with two optimizers", "[train][gan]") {
  const std::string dir = temp_dir("gan");
  train::RunResult r = train::train_run(config("gan2d", dir));
  // gmm2d: 4000 training points, batch 64 -> 63 steps per epoch, 15 epochs.
  const int64_t calls = 63 * 15;
  REQUIRE(r.steps == calls);
  nn::StateDict ckpt = checkpoint(dir);
  CHECK(ckpt.at("optimizers.critic.steps").item<int64_t>() == calls);
  CHECK(ckpt.at("optimizers.generator.steps").item<int64_t>() == calls / 5);
  CHECK(ckpt.at("model.calls").item<int64_t>() == calls);
  // Each optimizer keeps its own betas (Adam's state dict: group.0.betas.*).
  CHECK(ckpt.at("optimizers.critic.optimizer.group.0.betas.0").item<double>() == 0.0);
  CHECK(ckpt.at("optimizers.generator.optimizer.group.0.betas.0").item<double>() == 0.5);
  CHECK(ckpt.at("optimizers.generator.optimizer.group.0.betas.1").item<double>() == 0.9);
  // gmm2d is 0.1 N((-5,-5), I) + 0.9 N((5,5), I). A Gaussian generator cannot hold both
  // modes, and the GAN's Jensen-Shannon objective is mode-seeking: it settles on the
  // heavy component N((5,5), I), not on the mixture's mean (4, 4) that maximum
  // likelihood would give. The affine generator starts near N(0, I).
  train::RestoredRun restored = train::restore_run(dir, Device(kCPU));
  Generator gen(7);
  Tensor s = restored.model->sample(4000, &gen).to(kFloat64);
  std::vector<double> mean = s.mean(std::vector<int64_t>{0}).to_vector<double>();
  std::vector<double> sd =
      (s - s.mean(std::vector<int64_t>{0})).square().mean(std::vector<int64_t>{0}).sqrt().to_vector<double>();
  INFO("generator mean " << mean[0] << ", " << mean[1] << "; std " << sd[0] << ", " << sd[1]);
  CHECK(std::fabs(mean[0] - 5.0) < 0.4);
  CHECK(std::fabs(mean[1] - 5.0) < 0.4);
  CHECK(std::fabs(sd[0] - 1.0) < 0.35);
  CHECK(std::fabs(sd[1] - 1.0) < 0.35);
  CHECK(fs::exists(dir + "/samples.png"));
  CHECK(fs::exists(dir + "/losses.png"));
  // The log has both losses; the generator's only on its steps.
  int64_t critic_rows = 0, generator_rows = 0;
  for (const auto& rec : nn::io::read_metrics(dir + "/metrics.jsonl")) {
    if (rec.text("split") != "train_step") continue;
    critic_rows += rec.contains("critic_loss");
    generator_rows += rec.contains("generator_loss");
  }
  CHECK(critic_rows == calls);
  CHECK(generator_rows == calls / 5);
  // The epoch's mean of each loss is over the steps that reported it: recomputed here from
  // the per-step rows of epoch 1 (63 batches, the last of 4000 - 62 * 64 = 32 points).
  double sum = 0, weight = 0, logged = -1;
  for (const auto& rec : nn::io::read_metrics(dir + "/metrics.jsonl")) {
    if (rec.number("epoch") != 1) continue;
    if (rec.text("split") == "train") logged = rec.number("generator_loss");
    if (rec.text("split") != "train_step" || !rec.contains("generator_loss")) continue;
    const double n = static_cast<int64_t>(rec.number("step")) % 63 == 0 ? 32 : 64;
    sum += n * rec.number("generator_loss");
    weight += n;
  }
  CHECK(logged == Approx(sum / weight).epsilon(1e-9));
  fs::remove_all(dir);
}

TEST_CASE("a resumed GAN run is bit-identical to an uninterrupted one", "[train][gan]") {
  test::OneThread one;
  const std::string straight = temp_dir("gan_straight"), resumed = temp_dir("gan_resumed");
  train::RunConfig a = config("gan2d", straight);
  a.epochs = 3;
  train::train_run(a);
  train::RunConfig b = config("gan2d", resumed);
  b.epochs = 2;  // 126 calls: the generator cycle is mid-way (126 % 5 = 1) when it stops
  train::train_run(b);
  b.epochs = 3;
  b.resume = true;
  train::train_run(b);
  require_same_checkpoints(checkpoint(straight), checkpoint(resumed));
  // Resuming a finished run says so.
  REQUIRE_THROWS_WITH(train::train_run(b), Catch::Contains("finished") && Catch::Contains("--epochs"));
  // Resuming with other settings, another seed or data set than the run's is an error naming it.
  b.epochs = 4;
  b.batch_size = 32;
  REQUIRE_THROWS_WITH(train::train_run(b), Catch::Contains("batch_size") && Catch::Contains("resume"));
  b.batch_size.reset();
  b.seed = 9;
  REQUIRE_THROWS_WITH(train::train_run(b), Catch::Contains("--seed is 9"));
  fs::remove_all(straight);
  fs::remove_all(resumed);
}

TEST_CASE("labels reach loss and sample: a conditional model learns each class mean", "[train][conditional]") {
  const std::string dir = temp_dir("cond");
  train::train_run(config("cond2d", dir));
  // The maximum-likelihood means are the class means of the training points, computed here in double.
  nn::data::ToyData d = nn::data::load_toy_dataset("8gaussians");
  std::vector<double> x = d.train.x.to_vector<double>();
  std::vector<int64_t> y = d.train.y.to_vector<int64_t>();
  std::vector<double> sum(16, 0.0), count(8, 0.0);
  for (size_t i = 0; i < y.size(); ++i) {
    sum[2 * y[i]] += x[2 * i];
    sum[2 * y[i] + 1] += x[2 * i + 1];
    count[y[i]] += 1;
  }
  train::RestoredRun restored = train::restore_run(dir, Device(kCPU));
  REQUIRE(restored.model->num_classes() == 8);
  std::vector<double> means = restored.model->named_parameters()[0].second.to_vector<double>();
  for (int k = 0; k < 8; ++k) {
    INFO("class " << k);
    CHECK(std::fabs(means[2 * k] - sum[2 * k] / count[k]) < 0.02);
    CHECK(std::fabs(means[2 * k + 1] - sum[2 * k + 1] / count[k]) < 0.02);
  }
  // Samples of label 3 sit at class 3's mean; guidance 3 shrinks their spread 4 times (this model's reading).
  Generator gen(1);
  SampleOptions o(&gen);
  o.labels = full({4000}, 3, kInt64);
  Tensor s = restored.model->sample(4000, o).to(kFloat64);
  Tensor centred = s - s.mean(std::vector<int64_t>{0});
  const double spread = centred.square().mean().sqrt().item<double>();
  CHECK(std::fabs(s.select(1, 0).mean().item<double>() - sum[6] / count[3]) < 0.01);
  o.guidance = 3;
  Tensor g = restored.model->sample(4000, o).to(kFloat64);
  const double guided = (g - g.mean(std::vector<int64_t>{0})).square().mean().sqrt().item<double>();
  CHECK(std::fabs(guided * 4 / spread - 1) < 0.1);
  CHECK(fs::exists(dir + "/samples.png"));
  fs::remove_all(dir);
}

TEST_CASE("SGD with warm-up, cosine schedule and clipping, and the EMA, follow their closed forms", "[train][ema]") {
  const std::string dir = temp_dir("scalar");
  train::RunResult r = train::train_run(config("scalar", dir));
  // moons: 4000 training points, batch 500 -> 8 steps per epoch, 3 epochs, 24 steps.
  REQUIRE(r.steps == 24);
  // The same run in double: lr_t = 0.2 (1/10 + 9/10 t/10) for t < 10 (LinearLR warm-up),
  // then 0.2 (1 + cos(pi (t-10)/14)) / 2; g = theta - 3 clipped to norm 1 (PyTorch's
  // factor 1 / (|g| + 1e-6)); theta -= lr g; EMA s = 0.9 s + 0.1 theta from s = theta_0.
  double theta = 0, ema = 0;
  for (int t = 0; t < 24; ++t) {
    const double lr = t < 10 ? 0.2 * (0.1 + 0.9 * t / 10.0) : 0.2 * (1 + std::cos(M_PI * (t - 10) / 14.0)) / 2;
    double g = theta - 3;
    const double factor = 1.0 / (std::fabs(g) + 1e-6);
    if (factor < 1) g *= factor;
    theta -= lr * g;
    ema = 0.9 * ema + 0.1 * theta;
  }
  nn::StateDict ckpt = checkpoint(dir);
  CHECK(ckpt.at("model.theta").to_vector<double>()[0] == Approx(theta).epsilon(1e-5));
  CHECK(ckpt.at("ema.shadow.0").to_vector<double>()[0] == Approx(ema).epsilon(1e-5));
  // The test loss is the EMA weight's: (s - 3)^2 / 2.
  CHECK(r.test.at("loss") == Approx(0.5 * (ema - 3) * (ema - 3)).epsilon(1e-4));
  // Sampling restores the EMA weights by default, the live ones when asked.
  CHECK(train::restore_run(dir, Device(kCPU)).model->named_parameters()[0].second.item<double>() ==
        Approx(ema).epsilon(1e-5));
  CHECK(train::restore_run(dir, Device(kCPU), false).model->named_parameters()[0].second.item<double>() ==
        Approx(theta).epsilon(1e-5));
  fs::remove_all(dir);
}

TEST_CASE("a resumed run with a schedule and an EMA is bit-identical to an uninterrupted one", "[train][ema]") {
  const std::string straight = temp_dir("scalar_straight"), resumed = temp_dir("scalar_resumed");
  train::train_run(config("scalar", straight));
  train::RunConfig b = config("scalar", resumed);
  // Interrupted after epoch 1 (8 steps: inside the 10-step warm-up), its checkpoint written, as a kill would stop it.
  struct Interrupted {};
  b.on_epoch_end = [](int64_t epoch, const train::LossValues&) {
    if (epoch == 1) throw Interrupted{};
  };
  REQUIRE_THROWS_AS(train::train_run(b), Interrupted);
  b.on_epoch_end = nullptr;
  b.resume = true;
  train::train_run(b);
  require_same_checkpoints(checkpoint(straight), checkpoint(resumed));
  // The cosine schedule spans the planned run: resuming with other epochs would change it.
  b.epochs = 5;
  REQUIRE_THROWS_WITH(train::train_run(b), Catch::Contains("cosine") && Catch::Contains("3 epochs"));
  fs::remove_all(straight);
  fs::remove_all(resumed);
}

TEST_CASE("a two-stage run trains on its first stage's codes and samples through it", "[train][two-stage]") {
  const std::string first = temp_dir("stage1"), second = temp_dir("stage2");
  // Without --from, or from a run of another model: clear errors.
  REQUIRE_THROWS_WITH(train::train_run(config("gauss2d-codes", second)), Catch::Contains("--from"));
  train::train_run(config("gauss2d", first));
  train::RunConfig c = config("gauss2d-codes", second);
  c.from = first;
  train::train_run(c);

  // The codes (x - m) / s of the training points under the first stage's weights, in double.
  auto stage1 = train::restore_run(first, Device(kCPU), false);
  auto stage2 = train::restore_run(second, Device(kCPU), false);
  auto* parent = dynamic_cast<test::DiagonalGaussian*>(stage1.model.get());
  auto* child = dynamic_cast<test::DiagonalGaussian*>(stage2.model.get());
  REQUIRE(parent);
  REQUIRE(child);
  REQUIRE(child->parent);  // restored from the second run's metadata
  std::vector<double> m = parent->mean.to_vector<double>(), ls = parent->log_std.to_vector<double>();
  std::vector<double> x = nn::data::load_toy_dataset("gmm2d").train.x.to_vector<double>();
  const size_t n = x.size() / 2;
  for (int d = 0; d < 2; ++d) {
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; ++i) {
      const double z = (x[2 * i + d] - m[d]) / std::exp(ls[d]);
      sum += z;
      sq += z * z;
    }
    const double code_mean = sum / n, code_std = std::sqrt(sq / n - code_mean * code_mean);
    INFO("dimension " << d << ": code mean " << code_mean << ", std " << code_std);
    // The second stage's maximum-likelihood fit of the codes.
    CHECK(std::fabs(child->mean.to_vector<double>()[d] - code_mean) < 0.05);
    CHECK(std::fabs(std::exp(child->log_std.to_vector<double>()[d]) - code_std) < 0.05);
  }
  // Its samples are decoded by the first stage: back in data space, mean near gmm2d's (4, 4).
  Generator gen(3);
  Tensor s = stage2.model->sample(20000, &gen).to(kFloat64);
  std::vector<double> mean = s.mean(std::vector<int64_t>{0}).to_vector<double>();
  CHECK(std::fabs(mean[0] - 4) < 0.15);
  CHECK(std::fabs(mean[1] - 4) < 0.15);
  // --from a run of another model.
  const std::string gan = temp_dir("stage_gan");
  train::RunConfig g = config("gan2d", gan);
  g.epochs = 1;
  train::train_run(g);
  c.from = gan;
  c.out = temp_dir("stage2b");
  REQUIRE_THROWS_WITH(train::train_run(c), Catch::Contains("holds model \"gan2d\""));
  for (const auto& d : {first, second, gan, c.out}) fs::remove_all(d);
}

TEST_CASE("bad training options are clear errors naming the option", "[train]") {
  const std::string dir = temp_dir("bad");
  auto fails = [&](auto change, const std::string& says) {
    train::RunConfig c = config("scalar", dir);
    change(c);
    INFO("expected an error containing: " << says);
    REQUIRE_THROWS_WITH(train::train_run(c), Catch::Contains(says));
  };
  fails([](train::RunConfig& c) { c.epochs = 0; }, "--epochs: expected an integer >= 1, got 0");
  fails([](train::RunConfig& c) { c.batch_size = -1; }, "--batch-size: expected an integer >= 1, got -1");
  fails([](train::RunConfig& c) { c.optimizers[""].lr = -1.0; }, "--lr: expected a finite number > 0, got -1");
  fails([](train::RunConfig& c) { c.optimizers[""].lr = std::nan(""); }, "--lr: expected a finite number > 0, got nan");
  fails([](train::RunConfig& c) { c.optimizers[""].lr = HUGE_VAL; }, "--lr: expected a finite number > 0, got inf");
  fails([](train::RunConfig& c) { c.optimizers[""].kind = std::string("lbfgs"); },
        "--optimizer: expected one of sgd, adam, adamw, rmsprop, got \"lbfgs\"");
  fails([](train::RunConfig& c) { c.optimizers[""].schedule = std::string("linear"); },
        "--schedule: expected one of none, step, exponential, cosine, got \"linear\"");
  fails([](train::RunConfig& c) { c.optimizers["critic"].lr = 1e-3; }, "has no optimizer \"critic\"");
  fails([](train::RunConfig& c) { c.optimizers[""].weight_decay = -0.1; },
        "--weight-decay: expected a finite number >= 0, got -0.1");
  fails([](train::RunConfig& c) { c.optimizers[""].clip_grad_norm = -1.0; }, "--clip-grad: expected");
  fails([](train::RunConfig& c) { c.optimizers[""].warmup = int64_t{-1}; }, "--warmup: expected an integer >= 0");
  fails([](train::RunConfig& c) { c.limit = -1; }, "--limit: expected an integer >= 0 (0: all), got -1");
  fails([](train::RunConfig& c) { c.test_limit = -5; }, "--test-limit: expected an integer >= 0");
  fails([](train::RunConfig& c) { c.samples = 3'000'000'000; }, "--samples: expected an integer in [0, 4096]");
  fails([](train::RunConfig& c) { c.ema_decay = 1.0; }, "--ema: expected a finite number in [0, 1)");
  fails([](train::RunConfig& c) { c.optimizers[""].beta1 = 1.0; }, "--betas: sgd has no betas");
  fails([](train::RunConfig& c) { c.preset = "huge"; }, "no preset \"huge\"");
  fails([](train::RunConfig& c) { c.dataset = "mnist"; }, "does not train on \"mnist\"");
  fails([](train::RunConfig& c) { c.resume = true; }, "--resume");
  fails([](train::RunConfig& c) { c.from = "runs/x"; }, "--from is for two-stage models");
  fs::remove_all(dir);
}

TEST_CASE("the registry groups models by family and checks what is added", "[train]") {
  test::register_test_models();
  const Registry& r = registry();
  std::vector<std::string> families;
  for (const Family& f : r.families()) families.push_back(f.name);
  CHECK(std::find(families.begin(), families.end(), "ar") != families.end());
  CHECK(std::find(families.begin(), families.end(), "vae") != families.end());
  REQUIRE(r.specs_of("ar").size() == 3);
  for (const ModelSpec& s : r.specs()) {
    INFO("model " << s.name);
    CHECK(s.presets.count("quick") == 1);
    CHECK(s.presets.count("course") == 1);
  }
  ModelSpec dup = r.find("scalar");
  REQUIRE_THROWS_WITH(registry().add(dup), Catch::Contains("registered already"));
  ModelSpec orphan = r.find("scalar");
  orphan.name = "orphan";
  orphan.family = "nosuchfamily";
  REQUIRE_THROWS_WITH(registry().add(orphan), Catch::Contains("unknown family"));
  ModelSpec no_quick = r.find("scalar");
  no_quick.name = "no-quick";
  no_quick.presets.erase("quick");
  REQUIRE_THROWS_WITH(registry().add(no_quick), Catch::Contains("quick and a course preset"));
}

TEST_CASE("schedules count training steps: an optimizer stepped every 5th call keeps the same clock", "[train]") {
  // Two parameters, two SGD optimizers with a per-step cosine schedule over the run (10 steps): "a" steps on
  // every call, "b" on every 5th. After t training steps both lrs are 0.5 (1 + cos(pi t / 10)) / 2.
  Tensor pa = zeros({1}).requires_grad_(), pb = zeros({1}).requires_grad_();
  train::OptimizerSpec s;
  s.kind = "sgd";
  s.lr = 0.5;
  s.schedule.kind = "cosine";
  s.schedule.unit = "step";
  train::Optimizers opt({{"a", {pa}}, {"b", {pb}}}, {{"a", s}, {"b", s}}, "loss", /*steps_per_epoch=*/10, 1);
  for (int t = 1; t <= 7; ++t) {
    opt.step("a");
    if (t % 5 == 0) opt.step("b");
    opt.end_step();
    const double want = 0.5 * (1 + std::cos(M_PI * t / 10.0)) / 2;
    CHECK(opt["a"].lr() == Approx(want));
    CHECK(opt["b"].lr() == Approx(want));
  }
  CHECK(opt.steps("a") == 7);
  CHECK(opt.steps("b") == 1);
  // A cosine over the whole run needs the run's length.
  REQUIRE_THROWS_WITH(train::Optimizers({{"a", {pa}}}, {{"a", s}}), Catch::Contains("t_max"));
}

TEST_CASE("conditional and two-stage runs resume bit-identically and draw their pictures", "[train][two-stage]") {
  test::OneThread one;
  struct Interrupted {};
  auto stop_after_first = [](int64_t epoch, const train::LossValues&) {
    if (epoch == 1) throw Interrupted{};
  };
  const std::string parent = temp_dir("resume_parent");
  train::train_run(config("gauss2d", parent));
  CHECK(fs::exists(parent + "/samples.png"));
  CHECK(fs::exists(parent + "/density.png"));  // the picture this model adds
  for (const std::string model : {"cond2d", "gauss2d-codes"}) {
    INFO("model " << model);
    const std::string straight = temp_dir(model + "_straight"), resumed = temp_dir(model + "_resumed");
    train::RunConfig a = config(model, straight);
    if (model == "gauss2d-codes") a.from = parent;
    train::train_run(a);
    train::RunConfig b = a;
    b.out = resumed;
    b.on_epoch_end = stop_after_first;
    REQUIRE_THROWS_AS(train::train_run(b), Interrupted);
    b.on_epoch_end = nullptr;
    b.resume = true;
    b.from.clear();  // a resumed second stage finds its first stage in its checkpoint
    train::train_run(b);
    require_same_checkpoints(checkpoint(straight), checkpoint(resumed));
    CHECK(fs::exists(resumed + "/samples.png"));
    fs::remove_all(straight);
    fs::remove_all(resumed);
  }
  fs::remove_all(parent);
}
