// Command-line pieces of `dgm train` and `dgm sample`: optional overrides,
// per-optimizer flags written [NAME=]VALUE (`--lr 2e-4` sets every optimizer,
// `--lr critic=1e-4` one of them), and label lists ("0..9", "1,3,5").
#pragma once
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "models/train/run.h"

namespace dgm::models::cli {

// An option that stays unset (the preset's value) unless given.
template <typename T>
void add_optional(CLI::App* app, const std::string& name, std::optional<T>& target, const std::string& help) {
  app->add_option_function<T>(
      name, [&target](const T& value) { target = value; }, help);
}

struct OptimizerFlags {
  std::vector<std::string> kind, lr, betas, weight_decay, momentum, clip, schedule, unit, gamma, step_size, warmup;
};
void add_optimizer_flags(CLI::App* app, OptimizerFlags& flags);
// The flags by optimizer name ("" : every optimizer); a dgm::Error names the
// flag and the value that does not parse.
std::map<std::string, train::OptimizerOverride> optimizer_overrides(const OptimizerFlags& flags);

// "0..9" (inclusive), "3", "1,3,5"; each label must lie in [0, classes).
std::vector<int64_t> parse_labels(const std::string& text, int64_t classes);

}  // namespace dgm::models::cli
