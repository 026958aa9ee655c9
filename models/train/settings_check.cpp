#include "models/train/settings_check.h"

#include <algorithm>
#include <thread>

#include "tensor/error.h"

namespace dgm::models::train {

namespace limits {

Range threads() {
  const int64_t hardware = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  const int64_t most = std::min<int64_t>(1024, 4 * hardware);
  return closed(1, static_cast<double>(most))
      .with_note(most == 1024 ? "at most 1024" : "at most 4 x the " + std::to_string(hardware) + " hardware threads");
}

}  // namespace limits

void validate(const OptimizerSpec& s, const std::string& who) {
  auto name = [&](const char* flag) { return who.empty() ? std::string(flag) : flag + (" (" + who + ")"); };
  check_choice(name("--optimizer"), s.kind, {"sgd", "adam", "adamw", "rmsprop"});
  check_number(name("--lr"), s.lr, limits::lr());
  check_number(name("--betas B1"), s.beta1, limits::beta());
  check_number(name("--betas B2"), s.beta2, limits::beta());
  check_number(name("--weight-decay"), s.weight_decay, limits::weight_decay());
  check_number(name("--momentum"), s.momentum, limits::momentum());
  check_number(name("--clip-grad"), s.clip_grad_norm, limits::clip_grad());
  const ScheduleSpec& c = s.schedule;
  check_choice(name("--schedule"), c.kind, {"none", "step", "exponential", "cosine"});
  check_choice(name("--schedule-unit"), c.unit, {"epoch", "step"});
  check_integer(name("--step-size"), c.step_size, limits::step_size());
  check_number(name("--gamma"), c.gamma, limits::gamma());
  check_integer(name("--warmup"), c.warmup, limits::warmup());
  check_integer(name("schedule t_max"), c.t_max, limits::t_max());
  check_number(name("schedule eta_min"), c.eta_min, closed_open(0, s.lr).with_note("below lr"));
}

void validate(const TrainSettings& t) {
  check_integer("--epochs", t.epochs, limits::epochs());
  check_integer("--batch-size", t.batch_size, limits::batch_size());
  check_integer("--limit", t.limit, limits::limit());
  check_integer("--test-limit", t.test_limit, limits::limit());
  check_integer("--samples", t.samples, limits::samples());
  check_number("--ema", t.ema_decay, limits::ema());
  DGM_CHECK(!t.loss_key.empty(), "--loss-key: expected the name of a loss, got \"\"");
  for (const auto& [name, s] : t.optimizers) validate(s, t.optimizers.size() == 1 ? "" : "optimizer \"" + name + "\"");
}

}  // namespace dgm::models::train
