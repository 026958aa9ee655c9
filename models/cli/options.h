// Command-line pieces of `dgm train` and `dgm sample`: options checked as they
// are parsed (every value goes through train::parse_number / parse_integer
// with its range from models/train/settings_check.h, so a bad value is one
// error naming the option, the range and the value), per-optimizer flags
// written [NAME=]VALUE (`--lr 2e-4` sets every optimizer, `--lr critic=1e-4`
// one of them).
#pragma once
#include <CLI/CLI.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "models/train/run.h"
#include "models/train/settings_check.h"

namespace dgm::models::cli {

// `text` as a T in `range` (strings are taken as they are).
template <typename T>
T parse_value(const std::string& option, const std::string& text, const train::Range& range);
template <>
inline int64_t parse_value<int64_t>(const std::string& option, const std::string& text, const train::Range& range) {
  return train::parse_integer(option, text, range);
}
template <>
inline double parse_value<double>(const std::string& option, const std::string& text, const train::Range& range) {
  return train::parse_number(option, text, range);
}
template <>
inline uint64_t parse_value<uint64_t>(const std::string& option, const std::string& text, const train::Range&) {
  return train::parse_unsigned(option, text);
}
template <>
inline std::string parse_value<std::string>(const std::string&, const std::string& text, const train::Range&) {
  return text;
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, double>) return "FLOAT";
  if constexpr (std::is_integral_v<T>) return "INT";
  return "TEXT";
}

// An option that stays unset (the preset's value) unless given; checked against `range` when parsed.
template <typename T>
void add_optional(CLI::App* app, const std::string& name, std::optional<T>& target, const train::Range& range,
                  const std::string& help) {
  app->add_option_function<std::string>(
         name, [&target, name, range](const std::string& text) { target = parse_value<T>(name, text, range); }, help)
      ->type_name(type_name<T>());
}

// An option with a default (shown in the help); checked against `range` when parsed.
template <typename T>
void add_checked(CLI::App* app, const std::string& name, T& target, const train::Range& range,
                 const std::string& help) {
  std::ostringstream def;
  def << target;
  app->add_option_function<std::string>(
         name, [&target, name, range](const std::string& text) { target = parse_value<T>(name, text, range); }, help)
      ->type_name(type_name<T>())
      ->default_str(def.str());
}

struct OptimizerFlags {
  std::vector<std::string> kind, lr, betas, weight_decay, momentum, clip, schedule, unit, gamma, step_size, warmup;
};
void add_optimizer_flags(CLI::App* app, OptimizerFlags& flags);
// The flags by optimizer name ("" : every optimizer); a dgm::Error names the
// flag, the value and its range when a value does not parse or lies outside it.
std::map<std::string, train::OptimizerOverride> optimizer_overrides(const OptimizerFlags& flags);

}  // namespace dgm::models::cli
