// The one check every option value goes through (models/train/option_range.h)
// and the ranges of a run's settings (settings_check.h): the message names the
// option, the allowed range and the value; settings from a preset or from code
// are checked by train_run as the command line's are.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/train/out_path.h"
#include "models/train/run.h"
#include "models/train/settings_check.h"
#include "tests/helpers.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("option values outside their range name the option, the range and the value", "[train][options]") {
  using namespace train;
  CHECK(check_number("--lr", 0.5, above(0)) == 0.5);
  REQUIRE_THROWS_WITH(check_number("--lr", HUGE_VAL, above(0)), "--lr: expected a finite number > 0, got inf");
  REQUIRE_THROWS_WITH(check_number("--lr", std::nan(""), above(0)), "--lr: expected a finite number > 0, got nan");
  REQUIRE_THROWS_WITH(check_number("--lr", 0, above(0)), "--lr: expected a finite number > 0, got 0");
  // Both ends of a half-open interval: 0 is in [0, 1), 1 is not.
  CHECK(check_number("--ema", 0, closed_open(0, 1)) == 0);
  REQUIRE_THROWS_WITH(check_number("--ema", 1, closed_open(0, 1).with_note("0: no EMA")),
                      "--ema: expected a finite number in [0, 1) (0: no EMA), got 1");
  REQUIRE_THROWS_WITH(check_integer("--epochs", -3, at_least(1)), "--epochs: expected an integer >= 1, got -3");
  CHECK(check_integer("--n", 4096, closed(1, 4096)) == 4096);
  REQUIRE_THROWS_WITH(check_integer("--n", 3'000'000'000, closed(1, 4096)),
                      "--n: expected an integer in [1, 4096], got 3000000000");
  // Text: what does not parse whole is the same error, quoted.
  CHECK(parse_number("--gamma", "1e-1", above(0)) == 0.1);
  REQUIRE_THROWS_WITH(parse_number("--gamma", "0.5x", above(0)), "--gamma: expected a finite number > 0, got \"0.5x\"");
  REQUIRE_THROWS_WITH(parse_number("--lr", "inf", above(0)), "--lr: expected a finite number > 0, got inf");
  REQUIRE_THROWS_WITH(parse_integer("--epochs", "2.5", at_least(1)), "--epochs: expected an integer >= 1, got \"2.5\"");
  REQUIRE_THROWS_WITH(parse_integer("--epochs", "99999999999999999999", at_least(1)),
                      Catch::Contains("got \"99999999999999999999\""));
  CHECK(parse_unsigned("--seed", "18446744073709551615") == 18446744073709551615ull);
  REQUIRE_THROWS_WITH(parse_unsigned("--seed", "-1"), Catch::Contains("--seed: expected an integer in [0, "));
  REQUIRE_THROWS_WITH(check_choice("--schedule-unit", "epochs", {"epoch", "step"}),
                      "--schedule-unit: expected one of epoch, step, got \"epochs\"");
}

TEST_CASE("label lists: ranges and lists of integers within the model's classes", "[train][options]") {
  CHECK(train::parse_labels("0..3", 10) == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(train::parse_labels("1,3,5", 10) == std::vector<int64_t>{1, 3, 5});
  CHECK(train::parse_labels("7", 10) == std::vector<int64_t>{7});
  REQUIRE_THROWS_WITH(train::parse_labels("0..10", 10),
                      "--labels: expected an integer in [0, 10) (the model's classes), got 10");
  REQUIRE_THROWS_WITH(train::parse_labels("1,-2", 10),
                      "--labels: expected an integer in [0, 10) (the model's classes), got -2");
  REQUIRE_THROWS_WITH(train::parse_labels("x", 10),
                      Catch::Contains("--labels: expected an integer in [0, 10)") && Catch::EndsWith("got \"x\""));
  REQUIRE_THROWS_WITH(train::parse_labels("5..2", 10), Catch::Contains("LO <= HI"));
}

TEST_CASE("the thread limit is 4 x the hardware threads, at most 1024, and named", "[train][options]") {
  const train::Range r = train::limits::threads();
  CHECK(r.lo == 1);
  CHECK(r.hi <= 1024);
  CHECK(r.hi >= 4);
  REQUIRE_THROWS_WITH(train::check_integer("--threads", 100000, r),
                      Catch::StartsWith("--threads: expected an integer in [1, ") && Catch::Contains("at most") &&
                          Catch::EndsWith("got 100000"));
  REQUIRE_THROWS_WITH(train::check_integer("--threads", 0, r), Catch::EndsWith("got 0"));
}

TEST_CASE("settings from a preset or from code are checked like the command line's", "[train][options]") {
  TrainSettings t;
  train::validate(t);  // the defaults are valid
  t.epochs = 0;
  REQUIRE_THROWS_WITH(train::validate(t), "--epochs: expected an integer >= 1, got 0");
  t.epochs = 1;
  t.optimizers = {{"generator", {}}, {"critic", {}}};
  t.optimizers.at("critic").beta2 = -0.1;
  REQUIRE_THROWS_WITH(train::validate(t),
                      "--betas B2 (optimizer \"critic\"): expected a finite number in [0, 1), got -0.1");
  t.optimizers.at("critic").beta2 = 0.999;
  t.optimizers.at("generator").schedule.step_size = 0;
  REQUIRE_THROWS_WITH(train::validate(t), "--step-size (optimizer \"generator\"): expected an integer >= 1, got 0");

  // A model whose preset trains 0 epochs: train_run refuses it before any work, naming the option.
  test::register_test_models();
  static bool added = false;
  if (!added) {
    ModelSpec s = registry().find("scalar");
    s.name = "scalar-bad-preset";
    s.presets.at("quick").epochs = 0;
    registry().add(s);  // the registry checks the presets' optimizers, not every setting
    added = true;
  }
  ModelSpec bad_lr = registry().find("scalar");
  bad_lr.name = "scalar-bad-lr";
  bad_lr.presets.at("quick").optimizers.at("model").lr = HUGE_VAL;
  REQUIRE_THROWS_WITH(registry().add(bad_lr),
                      "--lr (model \"scalar-bad-lr\" preset quick optimizer \"model\"): expected a finite number > 0, "
                      "got inf");
  train::RunConfig c;
  c.model = "scalar-bad-preset";
  c.out = (fs::temp_directory_path() / ("dgm_bad_preset_" + std::to_string(::getpid()))).string();
  REQUIRE_THROWS_WITH(train::train_run(c), "--epochs: expected an integer >= 1, got 0");
  CHECK_FALSE(fs::exists(c.out));
}

TEST_CASE("an output path under an existing file is refused before anything is created", "[train][options]") {
  const fs::path dir = fs::temp_directory_path() / ("dgm_out_path_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "a_file").string();
  std::ofstream(file) << "x";
  REQUIRE_THROWS_WITH(train::check_out_path("--out", file + "/run/deeper", true),
                      "--out: " + file + "/run/deeper lies under " + file + ", which is a file, not a folder");
  REQUIRE_THROWS_WITH(train::check_out_path("--out", file, true), Catch::Contains("is an existing file, not a folder"));
  REQUIRE_THROWS_WITH(train::check_out_path("--out", dir.string(), false), Catch::Contains("is a folder"));
  train::check_out_path("--out", (dir / "new" / "run").string(), true);  // folders still to make are fine
  train::check_out_path("--out", (dir / "s.png").string(), false);
  // train_run checks it first: nothing is created under the file, and the file is unchanged.
  test::register_test_models();
  train::RunConfig c;
  c.model = "scalar";
  c.out = file + "/run";
  REQUIRE_THROWS_WITH(train::train_run(c), Catch::Contains("which is a file, not a folder"));
  CHECK(fs::is_regular_file(file));
  CHECK(fs::file_size(file) == 1);
  fs::remove_all(dir);
}
