#include "models/cli/options.h"

#include <algorithm>
#include <cmath>

namespace dgm::models::cli {

namespace {

// "critic=1e-4" -> {"critic", "1e-4"}; "1e-4" -> {"", "1e-4"}.
std::pair<std::string, std::string> split_name(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return {"", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

double parse_double(const std::string& flag, const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DGM_CHECK(used == text.size() && !text.empty() && std::isfinite(v), flag, ": \"", text, "\" is not a finite number");
  return v;
}

int64_t parse_int(const std::string& flag, const std::string& text) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DGM_CHECK(used == text.size() && !text.empty(), flag, ": \"", text, "\" is not an integer");
  return v;
}

template <typename F>
void each(const char* flag, const std::vector<std::string>& values,
          std::map<std::string, train::OptimizerOverride>& out, F set) {
  std::vector<std::string> seen;
  for (const std::string& v : values) {
    auto [name, value] = split_name(v);
    DGM_CHECK(std::find(seen.begin(), seen.end(), name) == seen.end(), flag, " is given twice for ",
              name.empty() ? std::string("every optimizer") : "optimizer \"" + name + "\"");
    seen.push_back(name);
    set(out[name], value);
  }
}

}  // namespace

void add_optimizer_flags(CLI::App* app, OptimizerFlags& f) {
  const std::string each = " ([NAME=]VALUE: one optimizer, or every one without NAME)";
  app->add_option("--optimizer", f.kind, "sgd, adam, adamw or rmsprop" + each);
  app->add_option("--lr", f.lr, "learning rate" + each);
  app->add_option("--betas", f.betas, "Adam's betas as B1,B2" + each);
  app->add_option("--weight-decay", f.weight_decay, "weight decay (AdamW: decoupled)" + each);
  app->add_option("--momentum", f.momentum, "momentum (SGD, RMSprop)" + each);
  app->add_option("--clip-grad", f.clip, "max gradient norm (0: no clipping)" + each);
  app->add_option("--schedule", f.schedule, "none, step, exponential or cosine" + each);
  app->add_option("--schedule-unit", f.unit, "epoch or step: what the schedule counts" + each);
  app->add_option("--gamma", f.gamma, "step/exponential schedule factor" + each);
  app->add_option("--step-size", f.step_size, "step schedule period" + each);
  app->add_option("--warmup", f.warmup, "linear warm-up length, in schedule units" + each);
}

std::map<std::string, train::OptimizerOverride> optimizer_overrides(const OptimizerFlags& f) {
  std::map<std::string, train::OptimizerOverride> out;
  each("--optimizer", f.kind, out, [](auto& o, const std::string& v) { o.kind = v; });
  each("--lr", f.lr, out, [](auto& o, const std::string& v) { o.lr = parse_double("--lr", v); });
  each("--betas", f.betas, out, [](auto& o, const std::string& v) {
    const size_t comma = v.find(',');
    DGM_CHECK(comma != std::string::npos, "--betas: \"", v, "\" is not B1,B2");
    o.beta1 = parse_double("--betas", v.substr(0, comma));
    o.beta2 = parse_double("--betas", v.substr(comma + 1));
  });
  each("--weight-decay", f.weight_decay, out,
       [](auto& o, const std::string& v) { o.weight_decay = parse_double("--weight-decay", v); });
  each("--momentum", f.momentum, out,
       [](auto& o, const std::string& v) { o.momentum = parse_double("--momentum", v); });
  each("--clip-grad", f.clip, out,
       [](auto& o, const std::string& v) { o.clip_grad_norm = parse_double("--clip-grad", v); });
  each("--schedule", f.schedule, out, [](auto& o, const std::string& v) { o.schedule = v; });
  each("--schedule-unit", f.unit, out, [](auto& o, const std::string& v) { o.schedule_unit = v; });
  each("--gamma", f.gamma, out, [](auto& o, const std::string& v) { o.gamma = parse_double("--gamma", v); });
  each("--step-size", f.step_size, out,
       [](auto& o, const std::string& v) { o.step_size = parse_int("--step-size", v); });
  each("--warmup", f.warmup, out, [](auto& o, const std::string& v) { o.warmup = parse_int("--warmup", v); });
  return out;
}

std::vector<int64_t> parse_labels(const std::string& text, int64_t classes) {
  std::vector<int64_t> out;
  const size_t dots = text.find("..");
  if (dots != std::string::npos) {
    const int64_t lo = parse_int("--labels", text.substr(0, dots)), hi = parse_int("--labels", text.substr(dots + 2));
    DGM_CHECK(lo <= hi, "--labels: \"", text, "\" is an empty range");
    DGM_CHECK(lo >= 0 && hi < classes, "--labels: \"", text, "\" reaches outside the model's classes 0..", classes - 1);
    for (int64_t k = lo; k <= hi; ++k) out.push_back(k);
  } else {
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = text.find(',', start);
      const size_t end = comma == std::string::npos ? text.size() : comma;
      out.push_back(parse_int("--labels", text.substr(start, end - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  for (int64_t k : out)
    DGM_CHECK(k >= 0 && k < classes, "--labels: label ", k, " is outside the model's classes 0..", classes - 1);
  return out;
}

}  // namespace dgm::models::cli
