// Training that diverges stops with an error naming where and what (the
// epoch, the step, the loss key or the optimizer), and the last good
// checkpoint stays on disk: no checkpoint of NaN or infinite values is ever
// written. The test-only models nan-loss and nan-grad (training_models.h)
// diverge on training step 12, in epoch 2 (8 steps per epoch).
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "models/train/checkpoint.h"
#include "models/train/finite.h"
#include "models/train/run.h"
#include "nn/io/atomic_file.h"
#include "nn/io/safetensors.h"
#include "tests/helpers.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& name) { return test::fresh_temp_dir("divergence", name); }

train::RunConfig config(const std::string& model, const std::string& out) { return test::quiet_run_config(model, out); }

// Runs `model` (diverging in epoch 2) and returns the error; checks the checkpoint on disk is
// byte for byte the one written after epoch 1.
std::string diverge(const std::string& model) {
  const std::string dir = temp_dir(model);
  const std::string ckpt = dir + "/checkpoint.safetensors";
  train::RunConfig c = config(model, dir);
  std::string after_epoch_1;
  c.on_epoch_end = [&](int64_t epoch, const train::LossValues&) {
    if (epoch == 1) after_epoch_1 = nn::io::read_file(ckpt);
  };
  std::string message;
  try {
    train::train_run(c);
  } catch (const train::Diverged& e) {
    message = e.what();
  }
  REQUIRE(!after_epoch_1.empty());
  CHECK(nn::io::read_file(ckpt) == after_epoch_1);
  const train::CheckpointInfo info = train::read_checkpoint_progress(ckpt);
  CHECK(info.epoch == 1);
  CHECK(info.step == 8);
  for (const auto& [key, t] : nn::io::load_safetensors(ckpt)) {
    INFO("checkpoint entry " << key);
    CHECK(train::all_finite(t));
  }
  fs::remove_all(dir);
  return message;
}

}  // namespace

TEST_CASE("a NaN loss stops the run at its step, naming the key; the last good checkpoint stays", "[train][diverge]") {
  const std::string message = diverge("nan-loss");
  INFO(message);
  CHECK_THAT(message, Catch::Contains("training diverged at epoch 2, step 12: loss \"aux\" is "));
  CHECK_THAT(message, Catch::Contains("nan"));
  CHECK_THAT(message, Catch::Contains("is the last good one (epoch 1, step 8)"));
}

TEST_CASE("an infinite gradient stops the run before the step, naming the optimizer", "[train][diverge]") {
  const std::string message = diverge("nan-grad");
  INFO(message);
  CHECK_THAT(message, Catch::Contains("training diverged at epoch 2, step 12: optimizer \"model\" has a NaN or "
                                      "infinite gradient before its step 12; the step was not taken"));
  CHECK_THAT(message, Catch::Contains("(epoch 1, step 8)"));
}

TEST_CASE("the optimizers refuse a NaN gradient and leave the parameters as they were", "[train][diverge]") {
  Tensor p = full({3}, 1.0).requires_grad_();
  train::OptimizerSpec s;
  s.kind = "sgd";
  s.lr = 0.5;
  train::Optimizers opt({{"model", {p}}}, {{"model", s}});
  (p * tensor(std::vector<double>{1.0, std::nan(""), 2.0})).sum().backward();
  REQUIRE_THROWS_AS(opt.step("model"), train::Diverged);
  CHECK(p.detach().to_vector<double>() == std::vector<double>{1.0, 1.0, 1.0});
  CHECK(opt.steps("model") == 0);
  // Finite gradients step as before: p - 0.5 * g.
  opt.zero_grad("model");
  (p * tensor(std::vector<double>{1.0, 4.0, 2.0})).sum().backward();
  opt.step("model");
  CHECK(p.detach().to_vector<double>() == std::vector<double>{0.5, -1.0, 0.0});
}

TEST_CASE("all_finite sees NaN and infinities anywhere, and only those", "[train][diverge]") {
  CHECK(train::all_finite(tensor(std::vector<double>{1e300, -1e300, 0.0})));  // finite, though their square overflows
  CHECK(train::all_finite(full({2, 3}, 3.4e38, kFloat32)));
  CHECK_FALSE(train::all_finite(tensor(std::vector<double>{1.0, HUGE_VAL})));
  CHECK_FALSE(train::all_finite(tensor(std::vector<double>{-HUGE_VAL, 1.0})));
  CHECK_FALSE(train::all_finite(tensor(std::vector<float>{1.0f, std::nanf(""), 2.0f})));
  CHECK(train::all_finite(Tensor()));
}

TEST_CASE("a checkpoint of NaN weights is refused and the previous one kept", "[train][diverge]") {
  test::register_test_models();
  const std::string dir = temp_dir("refuse");
  fs::create_directories(dir);
  const std::string path = dir + "/checkpoint.safetensors";
  auto model = registry().find("scalar").make({});
  train::save_checkpoint(path, *model, {}, {1, 8, {{"model", "scalar"}}});
  const std::string good = nn::io::read_file(path);
  {
    NoGradGuard no_grad;
    model->parameters().front().fill_(std::nan(""));
  }
  REQUIRE_THROWS_WITH(train::save_checkpoint(path, *model, {}, {2, 16, {{"model", "scalar"}}}),
                      Catch::Contains("\"model.theta\" holds NaN or infinite values") && Catch::Contains(path));
  CHECK(nn::io::read_file(path) == good);
  fs::remove_all(dir);
}

TEST_CASE("training on an empty split is an error, not a loss of 0", "[train]") {
  test::register_test_models();
  auto model = std::shared_ptr<GenerativeModel>(registry().find("scalar").make({}));
  auto opt = std::make_shared<train::Optimizers>(model->optimizer_groups(),
                                                 std::map<std::string, train::OptimizerSpec>{{"model", {}}});
  train::TrainOptions o;
  o.epochs = 1;
  o.out_dir = temp_dir("empty");
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  o.log = quiet;
  train::Trainer trainer(model, opt, o);
  Batch some(zeros({4, 2})), none(zeros({0, 2}));
  REQUIRE_THROWS_WITH(trainer.fit(none, some), "Trainer::fit: 0 training and 4 test examples; both must be > 0");
  REQUIRE_THROWS_WITH(trainer.fit(some, none), "Trainer::fit: 4 training and 0 test examples; both must be > 0");
  fs::remove_all(o.out_dir);
}
