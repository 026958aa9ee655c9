#include "models/train/run.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "models/datasets.h"
#include "models/train/architecture.h"
#include "models/train/checkpoint.h"
#include "models/train/out_path.h"
#include "models/train/settings_check.h"
#include "nn/io/json.h"

namespace dgm::models::train {

namespace fs = std::filesystem;

namespace {

void apply(OptimizerSpec& s, const OptimizerOverride& o) {
  if (o.kind) s.kind = *o.kind;
  const bool adam = s.kind == "adam" || s.kind == "adamw";
  DGM_CHECK(!(o.beta1 || o.beta2) || adam, "--betas: ", s.kind, " has no betas (Adam and AdamW do)");
  DGM_CHECK(!o.momentum || !adam, "--momentum: ", s.kind, " has no momentum (SGD and RMSprop do)");
  if (o.lr) s.lr = *o.lr;
  if (o.beta1) s.beta1 = *o.beta1;
  if (o.beta2) s.beta2 = *o.beta2;
  if (o.weight_decay) s.weight_decay = *o.weight_decay;
  if (o.momentum) s.momentum = *o.momentum;
  if (o.clip_grad_norm) s.clip_grad_norm = *o.clip_grad_norm;
  if (o.schedule) s.schedule.kind = *o.schedule;
  if (o.schedule_unit) s.schedule.unit = *o.schedule_unit;
  if (o.gamma) s.schedule.gamma = *o.gamma;
  if (o.step_size) s.schedule.step_size = *o.step_size;
  if (o.warmup) s.schedule.warmup = *o.warmup;
}

nlohmann::json to_json(const OptimizerSpec& s) {
  return {{"kind", s.kind},
          {"lr", s.lr},
          {"betas", {s.beta1, s.beta2}},
          {"weight_decay", s.weight_decay},
          {"momentum", s.momentum},
          {"clip_grad_norm", s.clip_grad_norm},
          {"schedule",
           {{"kind", s.schedule.kind},
            {"unit", s.schedule.unit},
            {"step_size", s.schedule.step_size},
            {"gamma", s.schedule.gamma},
            {"t_max", s.schedule.t_max},
            {"eta_min", s.schedule.eta_min},
            {"warmup", s.schedule.warmup}}}};
}

nlohmann::json to_json(const TrainSettings& t) {
  nlohmann::json opts = nlohmann::json::object();
  for (const auto& [name, s] : t.optimizers) opts[name] = to_json(s);
  return {{"epochs", t.epochs},         {"batch_size", t.batch_size}, {"optimizers", opts},
          {"ema_decay", t.ema_decay},   {"loss_key", t.loss_key},     {"limit", t.limit},
          {"test_limit", t.test_limit}, {"samples", t.samples}};
}

// spec.stage_data over `split` in chunks on `device` (the parent's), back on the CPU as the trainer's data.
Batch stage_split(const ModelSpec& spec, GenerativeModel& parent, const Batch& split, Device device) {
  NoGradGuard no_grad;
  parent.eval();  // a restored parent is in eval mode already; stage_data must not train it
  std::vector<Batch> parts;
  constexpr int64_t kChunk = 1024;
  for (int64_t start = 0; start < split.size(); start += kChunk) {
    const int64_t n = std::min(kChunk, split.size() - start);
    parts.push_back(spec.stage_data(parent, split.narrow(start, n).to(device)).to(Device(kCPU)));
  }
  auto gather = [&](Tensor Batch::*member) {
    std::vector<Tensor> ts;
    for (const Batch& b : parts)
      if ((b.*member).defined()) ts.push_back(b.*member);
    DGM_CHECK(ts.empty() || ts.size() == parts.size(), spec.name,
              ": stage_data returned a member for some chunks only");
    return ts.empty() ? Tensor() : cat(ts, 0);
  };
  Batch out(gather(&Batch::x), gather(&Batch::y), gather(&Batch::pair));
  DGM_CHECK(out.x.defined() && out.size() == split.size(), spec.name, ": stage_data must return one code per example");
  return out;
}

std::string out_dir_of(const RunConfig& c) { return c.out.empty() ? "runs/" + c.model : c.out; }

// On resume, everything but the number of epochs must be what the run was started with.
void check_resume_settings(const std::string& ckpt, const std::map<std::string, std::string>& metadata,
                           const TrainSettings& now) {
  auto it = metadata.find("settings");
  if (it == metadata.end()) return;  // a checkpoint of an older dgm
  nlohmann::json saved = nn::io::parse_json(it->second, "resume: " + ckpt + ": settings", nn::io::kMetadataJsonLimits);
  DGM_CHECK(saved.is_object(), "resume: ", ckpt, " has unreadable settings (not a JSON object)");
  nlohmann::json current = to_json(now);
  const int64_t saved_epochs =
      saved.contains("epochs") ? nn::io::json_int(saved, "epochs", 0, INT64_MAX, "resume: " + ckpt + ": settings") : 0;
  for (const auto& [name, s] : now.optimizers)
    DGM_CHECK(saved_epochs == now.epochs || s.schedule.kind != "cosine" || s.schedule.t_max > 0, "resume: the cosine ",
              "schedule of optimizer \"", name, "\" spans the whole run, so the run must keep its ", saved_epochs,
              " epochs (got --epochs ", now.epochs, ")");
  saved.erase("epochs");
  current.erase("epochs");
  for (auto& [key, value] : current.items())
    DGM_CHECK(saved.contains(key) && saved[key] == value, "resume: \"", key, "\" is ", value.dump(),
              " now but the run in ", ckpt, " was trained with ", saved.contains(key) ? saved[key].dump() : "none",
              "; resume with the run's settings (only --epochs may change)");
}

// On resume, the data (seed, data set) and the first stage must be the run's too.
void check_resume_run(const std::string& ckpt, const std::map<std::string, std::string>& saved, uint64_t seed,
                      const std::string& dataset, const std::string& from) {
  auto config = saved.find("config");
  if (config != saved.end()) {
    nlohmann::json j = nn::io::parse_json(config->second, "resume: " + ckpt + ": config", nn::io::kMetadataJsonLimits);
    DGM_CHECK(j.is_object(), "resume: ", ckpt, " has an unreadable config (not a JSON object)");
    if (j.contains("seed") && j["seed"].is_number_unsigned())
      DGM_CHECK(j["seed"].get<uint64_t>() == seed, "resume: --seed is ", seed, " now but the run in ", ckpt,
                " was trained with --seed ", j["seed"].get<uint64_t>(), " (the seed fixes the data order)");
  }
  auto d = saved.find("dataset");
  DGM_CHECK(d == saved.end() || d->second == dataset, "resume: --dataset is \"", dataset, "\" now but the run in ",
            ckpt, " was trained on \"", d->second, "\"");
  auto f = saved.find("from");
  DGM_CHECK((f == saved.end() && from.empty()) || (f != saved.end() && f->second == from), "resume: --from is \"", from,
            "\" now but the run in ", ckpt, " started from \"", f == saved.end() ? "" : f->second, "\"");
}

}  // namespace

std::string settings_json(const TrainSettings& settings) { return to_json(settings).dump(); }

TrainSettings resolve_settings(const ModelSpec& spec, const RunConfig& c) {
  TrainSettings t = spec.preset(c.preset);
  if (c.epochs) t.epochs = *c.epochs;
  if (c.batch_size) t.batch_size = *c.batch_size;
  if (c.limit) t.limit = *c.limit;
  if (c.test_limit) t.test_limit = *c.test_limit;
  if (c.samples) t.samples = *c.samples;
  if (c.ema_decay) t.ema_decay = *c.ema_decay;
  if (c.loss_key) t.loss_key = *c.loss_key;
  // A full-batch model (EM) is only what it claims on the whole training set, and its steps are not averaged.
  DGM_CHECK(!spec.full_batch || !c.batch_size, "--batch-size: model \"", spec.name,
            "\" takes one full-batch step per epoch on the whole training set; its batch size is not an option");
  DGM_CHECK(!spec.full_batch || !c.ema_decay || *c.ema_decay == 0, "--ema: model \"", spec.name,
            "\" takes full-batch steps (EM); an average of its iterates is not a fit of the data");
  DGM_CHECK(c.optimizers.empty() || !t.optimizers.empty(), "model \"", spec.name,
            "\" trains without an optimizer (no gradient steps); optimizer options do not apply to it");
  auto all = c.optimizers.find("");
  for (auto& [name, s] : t.optimizers)
    if (all != c.optimizers.end()) apply(s, all->second);
  for (const auto& [name, o] : c.optimizers) {
    if (name.empty()) continue;
    auto it = t.optimizers.find(name);
    if (it == t.optimizers.end()) {
      std::string known;
      for (const auto& [n, s] : t.optimizers) known += (known.empty() ? "" : ", ") + n;
      DGM_FAIL("model \"", spec.name, "\" has no optimizer \"", name, "\"; it has: ", known);
    }
    apply(it->second, o);
  }
  validate(t);
  return t;
}

RunResult train_run(const RunConfig& c) {
  const ModelSpec& spec = find_model(c.model);
  TrainSettings settings = resolve_settings(spec, c);
  validate(settings);  // whatever resolve_settings is given, train_run trains only on checked settings
  const std::string out_dir = out_dir_of(c);
  check_out_path("--out", out_dir, /*is_folder=*/true);
  const std::string ckpt = (fs::path(out_dir) / "checkpoint.safetensors").string();
  std::map<std::string, std::string> saved;
  if (c.resume) {
    DGM_CHECK(fs::exists(ckpt), "--resume: ", ckpt, " does not exist; train first without --resume");
    saved = read_checkpoint_metadata(ckpt);
    DGM_CHECK(saved.count("model") && saved.at("model") == spec.name, "--resume: ", ckpt, " holds model \"",
              saved.count("model") ? saved.at("model") : "?", "\", not \"", spec.name, "\"");
    check_resume_settings(ckpt, saved, settings);
    // A finished run is an error before any data is read (exit 1): it says how to extend it.
    const int64_t done = read_checkpoint_progress(ckpt).epoch;
    DGM_CHECK(done < settings.epochs, "--resume: the run in ", out_dir, " is finished: it trained ", done,
              " epochs and --epochs is ", settings.epochs,
              "; to train it further, resume with more epochs (--epochs N, N > ", done, ", e.g. --epochs ", 2 * done,
              ")");
  }

  // Two-stage: the first stage's trained model (with its EMA weights, as it samples), and the data it turns
  // into the second stage's.
  std::shared_ptr<GenerativeModel> parent;
  ModelSpec data_spec = spec;
  std::string dataset = c.dataset.empty() ? spec.datasets.front() : c.dataset;
  std::string from = c.from;
  if (c.resume && from.empty() && saved.count("from")) from = saved.at("from");
  if (!spec.from.empty()) {
    DGM_CHECK(!from.empty(), "model \"", spec.name, "\" trains on a trained \"", spec.from,
              "\" run: give it with --from RUN (e.g. `dgm train ", spec.from, " --out runs/", spec.from, "` first)");
    RestoredRun first = restore_run(from, c.device);
    DGM_CHECK(first.spec->name == spec.from, "--from ", from, " holds model \"", first.spec->name, "\", but \"",
              spec.name, "\" starts from \"", spec.from, "\"");
    parent = first.model;
    data_spec = *first.spec;
    data_spec.conditional = first.spec->conditional || spec.conditional;  // labels kept for either stage
    const std::string parent_dataset =
        first.metadata.count("dataset") ? first.metadata.at("dataset") : first.spec->datasets.front();
    DGM_CHECK(c.dataset.empty() || c.dataset == parent_dataset, "--dataset ", c.dataset, ": \"", spec.name,
              "\" trains on the data of its first stage, which was trained on \"", parent_dataset, "\"");
    dataset = parent_dataset;
    from = fs::absolute(from).lexically_normal().string();
  } else {
    DGM_CHECK(from.empty(), "--from is for two-stage models; \"", spec.name, "\" trains from scratch");
  }

  if (c.resume) check_resume_run(ckpt, saved, c.seed, dataset, from);

  DataSplits data = load_data(data_spec, dataset, c.data_dir, settings.limit, settings.test_limit, c.seed);
  if (parent) {
    data.train = stage_split(spec, *parent, data.train, c.device);
    data.test = stage_split(spec, *parent, data.test, c.device);
  }

  manual_seed(c.seed);  // parameter initialization
  std::shared_ptr<GenerativeModel> model = spec.make(MakeContext{parent, c.preset});
  model->to(c.device);  // before the optimizers see the parameters
  if (c.resume) check_architecture("--resume", ckpt, saved, *model);
  auto optimizers =
      std::make_shared<Optimizers>(model->optimizer_groups(), settings.optimizers, settings.loss_key,
                                   steps_per_epoch(data.train.size(), settings.batch_size), settings.epochs);

  TrainOptions options;
  options.epochs = settings.epochs;
  options.batch_size = settings.batch_size;
  options.seed = c.seed;
  options.out_dir = out_dir;
  options.resume = c.resume;
  options.device = c.device;
  options.n_samples = settings.samples;
  options.ema_decay = settings.ema_decay;
  options.log = c.log;
  nlohmann::json config = {{"model", spec.name},
                           {"preset", c.preset},
                           {"dataset", dataset},
                           {"seed", c.seed},
                           {"train_examples", data.train.size()},
                           {"test_examples", data.test.size()}};
  options.metadata = {{"model", spec.name},
                      {"dataset", dataset},
                      {"preset", c.preset},
                      {"settings", settings_json(settings)},
                      {"config", config.dump()}};
  options.metadata["architecture"] = architecture_of(*model);  // compared on restore and resume
  if (!from.empty()) options.metadata["from"] = from;

  std::fprintf(c.log, "dgm train %s (%s preset) on %s: %lld train / %lld test examples, %lld epochs, batch %lld\n",
               spec.name.c_str(), c.preset.c_str(), dataset.c_str(), static_cast<long long>(data.train.size()),
               static_cast<long long>(data.test.size()), static_cast<long long>(settings.epochs),
               static_cast<long long>(settings.batch_size));
  for (const auto& [name, s] : settings.optimizers)
    std::fprintf(c.log, "  optimizer %s: %s\n", name.c_str(), describe(s).c_str());
  if (settings.ema_decay > 0) std::fprintf(c.log, "  EMA of the weights, decay %g\n", settings.ema_decay);

  Trainer trainer(model, optimizers, options);
  trainer.on_epoch_end = c.on_epoch_end;
  RunResult result;
  result.out_dir = out_dir;
  result.test = trainer.fit(data.train, data.test);
  result.settings = settings;
  result.steps = trainer.step();
  return result;
}

RestoredRun restore_run(const std::string& run, Device device, bool use_ema) {
  const std::string ckpt = (fs::path(run) / "checkpoint.safetensors").string();
  DGM_CHECK(fs::exists(ckpt), "no checkpoint at ", ckpt, "; train it first with `dgm train MODEL --out ", run,
            "` (a second-stage run names its first stage's folder in its metadata \"from\")");
  RestoredRun out;
  out.metadata = read_checkpoint_metadata(ckpt);
  DGM_CHECK(out.metadata.count("model"), ckpt, " does not say which model it holds");
  out.spec = &find_model(out.metadata.at("model"));
  MakeContext context;
  // The first stage as the second was trained on it: with its EMA weights when it kept an EMA.
  if (out.metadata.count("from")) context.parent = restore_run(out.metadata.at("from"), device, true).model;
  if (out.metadata.count("preset")) context.preset = out.metadata.at("preset");
  out.model = out.spec->make(context);
  check_architecture("restore " + run, ckpt, out.metadata, *out.model);
  out.model->to(device);
  load_checkpoint(ckpt, *out.model, nullptr, nullptr, /*restore_rng=*/false);
  if (use_ema) out.ema = load_ema_weights(ckpt, *out.model);
  out.model->eval();
  return out;
}

}  // namespace dgm::models::train
