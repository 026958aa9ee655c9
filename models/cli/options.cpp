#include "models/cli/options.h"

#include <algorithm>

namespace dgm::models::cli {

namespace {

using train::parse_integer;
using train::parse_number;
namespace limits = train::limits;

// "critic=1e-4" -> {"critic", "1e-4"}; "1e-4" -> {"", "1e-4"}.
std::pair<std::string, std::string> split_name(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return {"", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

// Each [NAME=]VALUE of `flag`: set(override of NAME, the flag as errors name it, VALUE).
template <typename F>
void each(const char* flag, const std::vector<std::string>& values,
          std::map<std::string, train::OptimizerOverride>& out, F set) {
  std::vector<std::string> seen;
  for (const std::string& v : values) {
    auto [name, value] = split_name(v);
    DGM_CHECK(std::find(seen.begin(), seen.end(), name) == seen.end(), flag, " is given twice for ",
              name.empty() ? std::string("every optimizer") : "optimizer \"" + name + "\"");
    seen.push_back(name);
    set(out[name], name.empty() ? std::string(flag) : std::string(flag) + " (optimizer \"" + name + "\")", value);
  }
}

}  // namespace

void add_optimizer_flags(CLI::App* app, OptimizerFlags& f) {
  const std::string each = " ([NAME=]VALUE: one optimizer, or every one without NAME)";
  app->add_option("--optimizer", f.kind, "sgd, adam, adamw or rmsprop" + each);
  app->add_option("--lr", f.lr, "learning rate, > 0" + each);
  app->add_option("--betas", f.betas, "Adam's betas as B1,B2, each in [0, 1)" + each);
  app->add_option("--weight-decay", f.weight_decay, "weight decay, >= 0 (AdamW: decoupled)" + each);
  app->add_option("--momentum", f.momentum, "momentum in [0, 1) (SGD, RMSprop)" + each);
  app->add_option("--clip-grad", f.clip, "max gradient norm, >= 0 (0: no clipping)" + each);
  app->add_option("--schedule", f.schedule, "none, step, exponential or cosine" + each);
  app->add_option("--schedule-unit", f.unit, "epoch or step: what the schedule counts" + each);
  app->add_option("--gamma", f.gamma, "step/exponential schedule factor, > 0" + each);
  app->add_option("--step-size", f.step_size, "step schedule period, >= 1" + each);
  app->add_option("--warmup", f.warmup, "linear warm-up length in schedule units, >= 0" + each);
}

std::map<std::string, train::OptimizerOverride> optimizer_overrides(const OptimizerFlags& f) {
  std::map<std::string, train::OptimizerOverride> out;
  each("--optimizer", f.kind, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.kind = train::check_choice(flag, v, {"sgd", "adam", "adamw", "rmsprop"});
  });
  each("--lr", f.lr, out,
       [](auto& o, const std::string& flag, const std::string& v) { o.lr = parse_number(flag, v, limits::lr()); });
  each("--betas", f.betas, out, [](auto& o, const std::string& flag, const std::string& v) {
    const size_t comma = v.find(',');
    DGM_CHECK(comma != std::string::npos, flag, ": expected B1,B2 (each in [0, 1)), got \"", v, "\"");
    o.beta1 = parse_number(flag + " B1", v.substr(0, comma), limits::beta());
    o.beta2 = parse_number(flag + " B2", v.substr(comma + 1), limits::beta());
  });
  each("--weight-decay", f.weight_decay, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.weight_decay = parse_number(flag, v, limits::weight_decay());
  });
  each("--momentum", f.momentum, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.momentum = parse_number(flag, v, limits::momentum());
  });
  each("--clip-grad", f.clip, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.clip_grad_norm = parse_number(flag, v, limits::clip_grad());
  });
  each("--schedule", f.schedule, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.schedule = train::check_choice(flag, v, {"none", "step", "exponential", "cosine"});
  });
  each("--schedule-unit", f.unit, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.schedule_unit = train::check_choice(flag, v, {"epoch", "step"});
  });
  each("--gamma", f.gamma, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.gamma = parse_number(flag, v, limits::gamma());
  });
  each("--step-size", f.step_size, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.step_size = parse_integer(flag, v, limits::step_size());
  });
  each("--warmup", f.warmup, out, [](auto& o, const std::string& flag, const std::string& v) {
    o.warmup = parse_integer(flag, v, limits::warmup());
  });
  return out;
}

}  // namespace dgm::models::cli
