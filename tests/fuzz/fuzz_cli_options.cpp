// libFuzzer: the command-line parser of `dgm train` / `dgm sample`
// (models/cli/options.cpp, compiled into this target) and the checked value
// readers behind every option (models/train/option_range.h). The input's lines are
// the arguments; the first line is also read as a --labels list. CLI11's own
// parse errors (CLI::Error) are expected answers too.
#include <CLI/CLI.hpp>

#include "models/cli/options.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dgm::models::cli;
  const std::string text = dgm::fuzz::as_string(data, size);
  std::vector<std::string> args;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    args.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  // the checked readers every option value goes through (models/train/option_range.h)
  dgm::fuzz::expect_only_dgm_errors([&] { dgm::models::train::parse_labels(args.front(), 10); });
  dgm::fuzz::expect_only_dgm_errors(
      [&] { dgm::models::train::parse_number("--lr", args.front(), dgm::models::train::above(0)); });
  dgm::fuzz::expect_only_dgm_errors(
      [&] { dgm::models::train::parse_integer("--epochs", args.front(), dgm::models::train::closed(1, 1e6)); });
  dgm::fuzz::expect_only_dgm_errors([&] { dgm::models::train::parse_unsigned("--seed", args.front()); });
  dgm::fuzz::expect_only_dgm_errors([&] {
    CLI::App app("fuzz");
    OptimizerFlags flags;
    add_optimizer_flags(&app, flags);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    try {
      app.parse(reversed);
    } catch (const CLI::Error&) {
      return;
    }
    optimizer_overrides(flags);
  });
  return 0;
}
