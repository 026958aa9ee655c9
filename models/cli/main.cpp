// The `dgm` command:
//   dgm train MODEL [--preset quick|course] [--dataset --epochs --batch-size --device --seed --threads --out
//                   --resume --data-dir --limit --test-limit --samples --from RUN]
//                   [--optimizer --lr --betas --weight-decay --momentum --clip-grad --schedule --schedule-unit
//                    --gamma --step-size --warmup (each [NAME=]VALUE) --ema --loss-key]
//   dgm sample RUN [--n 64] [--seed S] [--out FILE] [--labels 0..9] [--guidance W] [--steps N] [--ode-method M]
//   dgm eval RUN [--data-dir DIR] [--iwae 1,5,50]
//   dgm eval RUN --fid [--n 10000] [--features DIR] [--data-dir DIR] [--seed S] [--guidance W] [--steps N]
//                      [--ode-method M]
//   dgm eval RUN --ddim-steps 1000,250,100,50,20,10 [--n 500] [--eta 0] [--features DIR] [--seed S]
//   dgm list
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>

#include "autograd/grad_mode.h"
#include "cuda/cuda.h"
#include "models/cli/options.h"
#include "models/datasets.h"
#include "models/diffusion/ddim_steps_eval.h"
#include "models/eval/evaluate.h"
#include "models/registry.h"
#include "models/train/out_path.h"
#include "models/train/run.h"
#include "models/vae/iwae.h"
#include "nn/data/mnist.h"
#include "nn/io/image_grid.h"
#include "nn/io/json.h"
#include "nn/io/metrics.h"
#include "tensor/factories.h"
#include "tensor/parallel.h"

namespace fs = std::filesystem;
using namespace dgm;
using namespace dgm::models;

namespace {

Device parse_device(const std::string& device) {
  train::check_choice("--device", device, {"cpu", "cuda"});
  if (device == "cpu") return Device(kCPU);
  DGM_CHECK(cuda::is_available(), "--device cuda: no GPU can be used: ", cuda::unavailable_reason());
  return Device(kCUDA);
}

int run_train(train::RunConfig config, const std::string& device, std::optional<int64_t> threads,
              const cli::OptimizerFlags& flags) {
  config.device = parse_device(device);
  if (threads) set_num_threads(static_cast<int>(*threads));
  config.optimizers = cli::optimizer_overrides(flags);
  train::RunResult result = train::train_run(config);
  std::printf("\nrun folder: %s\n", result.out_dir.c_str());
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(result.out_dir))
    if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) std::printf("  %s/%s\n", result.out_dir.c_str(), f.c_str());
  const ModelSpec& spec = find_model(config.model);
  const std::string& key = result.settings.loss_key;
  if (result.test.count(key))
    std::printf("final test %s (%s): %.4f\n", key.c_str(), spec.loss_unit.c_str(), result.test.at(key));
  return 0;
}

int run_sample(const std::string& run, int64_t n, uint64_t seed, std::string out, const std::string& device,
               const std::string& labels, double guidance, int64_t steps, const std::string& ode_method) {
  // n, guidance and steps were checked against their ranges when parsed.
  if (!out.empty()) train::check_out_path("--out", out, /*is_folder=*/false);
  train::RestoredRun restored = train::restore_run(run, parse_device(device));
  const std::vector<std::string> reads = restored.model->sample_options();
  auto refuse_unread = [&](bool given, const std::string& option, const char* flag) {
    DGM_CHECK(!given || std::find(reads.begin(), reads.end(), option) != reads.end(), flag, ": model \"",
              restored.spec->name, "\" does not read ", option, " when it samples");
  };
  refuse_unread(guidance != 0, "guidance", "--guidance");
  refuse_unread(steps != 0, "steps", "--steps");
  refuse_unread(!ode_method.empty(), "ode_method", "--ode-method");
  NoGradGuard no_grad;
  Generator gen(seed);
  SampleOptions options(&gen);
  options.guidance = guidance;
  options.steps = steps;
  options.ode_method = ode_method;
  int64_t nfe = 0;
  options.function_evaluations = &nfe;
  nn::io::ImageOptions image_options;
  if (!labels.empty()) {
    const int64_t classes = restored.model->num_classes();
    DGM_CHECK(classes > 0, "--labels: model \"", restored.spec->name, "\" is not conditional");
    std::vector<int64_t> list = train::parse_labels(labels, classes);
    std::vector<int64_t> per_sample(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) per_sample[static_cast<size_t>(i)] = list[static_cast<size_t>(i) % list.size()];
    options.labels = tensor(per_sample).to(parse_device(device));
    image_options.nrow = static_cast<int64_t>(list.size());  // one column per label
  }
  if (out.empty()) out = (fs::path(run) / ("samples-" + std::to_string(n) + ".png")).string();
  Tensor samples = restored.model->generate(n, options);
  DGM_CHECK(samples.dim() == 4, "dgm sample draws image grids; model \"", restored.spec->name,
            "\" draws points of shape ", shape_str(samples.shape()), " (see its run folder's samples.png)");
  nn::io::save_image_grid(out, samples.clamp(0.0, 1.0), image_options);
  std::printf("%lld samples from %s%s: %s\n", static_cast<long long>(n), restored.spec->name.c_str(),
              restored.ema ? " (EMA weights)" : "", out.c_str());
  if (nfe > 0) std::printf("ODE function evaluations (NFE): %lld\n", static_cast<long long>(nfe));
  return 0;
}

// The run's test_limit from its saved settings (0: all, or when the run predates it).
int64_t saved_test_limit(const train::RestoredRun& restored, const std::string& run) {
  if (!restored.metadata.count("settings")) return 0;
  nlohmann::json s =
      nn::io::parse_json(restored.metadata.at("settings"), run + ": settings", nn::io::kMetadataJsonLimits);
  return s.is_object() && s.contains("test_limit") && s["test_limit"].is_number_integer()
             ? s["test_limit"].get<int64_t>()
             : 0;
}

// `dgm eval RUN --fid`: FID, IS, precision and recall of n generated images with dgm's feature network
// (models/eval/evaluate.h), printed as a table beside its baselines and appended to RUN/metrics.jsonl.
int run_eval_fid(const std::string& run, const std::string& data_dir, uint64_t seed, const std::string& device,
                 int64_t n, const std::string& features, double guidance, int64_t steps,
                 const std::string& ode_method) {
  train::RestoredRun restored = train::restore_run(run, parse_device(device));
  const ModelSpec& spec = *restored.spec;
  const std::vector<std::string> reads = restored.model->sample_options();
  DGM_CHECK(guidance == 0 || std::find(reads.begin(), reads.end(), "guidance") != reads.end(), "--guidance: model \"",
            spec.name, "\" does not read guidance when it samples");
  DGM_CHECK(steps == 0 || std::find(reads.begin(), reads.end(), "steps") != reads.end(), "--steps: model \"", spec.name,
            "\" does not read steps when it samples");
  DGM_CHECK(ode_method.empty() || std::find(reads.begin(), reads.end(), "ode_method") != reads.end(),
            "--ode-method: model \"", spec.name, "\" does not sample by an ODE solver");
  DGM_CHECK(spec.family != "classifier", "--fid: ", run, " is a classifier run (a feature network), not a model ",
            "that generates images");
  DGM_CHECK(spec.prepare, "--fid: ", run, " is a run of \"", spec.name,
            "\", which does not model images; --fid measures image samples");
  const std::string dataset =
      restored.metadata.count("dataset") ? restored.metadata.at("dataset") : spec.datasets.front();
  const Device dev = parse_device(device);
  eval::FeatureNetwork net = eval::load_feature_network(dataset, features, dev);
  DataSplits data = load_data(find_model(net.model), dataset, data_dir);  // x / 255 and labels
  eval::EvalOptions options;
  options.n = n;
  options.seed = seed;
  options.guidance = guidance;
  options.steps = steps;
  options.ode_method = ode_method;
  if (!ode_method.empty()) std::printf("samples drawn with the ODE solver %s\n", ode_method.c_str());
  if (guidance != 0 || steps != 0)
    std::printf("samples drawn with guidance %g, steps %lld (0: the model's default)\n", guidance,
                static_cast<long long>(steps));
  std::printf("%s: %lld samples of %s%s against the %lld test images of %s (features: %s, %s)\n", run.c_str(),
              static_cast<long long>(n), spec.name.c_str(), restored.ema ? " (EMA weights)" : "",
              static_cast<long long>(data.test.size()), dataset.c_str(), net.name.c_str(), net.run.c_str());
  const eval::EvalReport r = eval::evaluate_images(*restored.model, net, data.test, data.train.x, options);
  const std::string fid_name = "FID (" + r.features + ")", is_name = "IS (" + net.logits_name + ")";
  std::printf("%-24s %6s  %-28s %-30s %9s %7s\n", "images", "n", fid_name.c_str(), is_name.c_str(), "precision",
              "recall");
  for (const eval::SetMetrics& m : r.rows)
    std::printf("%-24s %6lld  %-28.3f %7.3f +- %-19.3f %9.4f %7.4f\n", m.name.c_str(), static_cast<long long>(m.n),
                m.fid, m.is.mean, m.is.std, m.pr.precision, m.pr.recall);
  std::printf("%-24s %6lld  %-28s %7.3f +- %-19.3f\n", "test images (reference)",
              static_cast<long long>(data.test.size()), "0 (itself)", r.test_is.mean, r.test_is.std);
  std::printf(
      "blurred: Gaussian sigma %.1f px; noise: N(0, %.2f^2) per pixel; precision/recall k = %lld; IS %lld "
      "splits; the classifier's test accuracy %.4f\n",
      options.blur_sigma, options.noise_sigma, static_cast<long long>(options.k),
      static_cast<long long>(options.splits), r.test_accuracy);
  std::printf("FIDs here use dgm's own classifier features, not Inception-v3: compare them with each other only\n");
  nn::io::MetricRecord record{{"split", "eval"},         {"features", r.features}, {"is_logits", net.logits_name},
                              {"features_run", net.run}, {"samples", n},           {"seed", seed}};
  if (guidance != 0) record.set("guidance", guidance);
  if (steps != 0) record.set("steps", steps);
  if (!ode_method.empty()) record.set("ode_method", ode_method);
  if (r.function_evaluations > 0) {
    record.set("nfe", r.function_evaluations);
    std::printf("ODE function evaluations (NFE) per sampler call (of up to %lld samples): %lld\n",
                static_cast<long long>(std::min(n, options.chunk)), static_cast<long long>(r.function_evaluations));
  }
  const char* keys[] = {"model", "floor", "blurred", "noised"};
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const std::string prefix = i == 0 ? "" : std::string(keys[i]) + "_";
    record.set(prefix + "fid", r.rows[i].fid);
    record.set(prefix + "is", r.rows[i].is.mean);
    record.set(prefix + "is_std", r.rows[i].is.std);
    record.set(prefix + "precision", r.rows[i].pr.precision);
    record.set(prefix + "recall", r.rows[i].pr.recall);
  }
  record.set("test_is", r.test_is.mean);
  record.set("classifier_test_accuracy", r.test_accuracy);
  if (r.sampled_accuracy >= 0) {
    record.set("sampled_class_accuracy", r.sampled_accuracy);
    std::printf("class accuracy of conditional samples (the classifier's argmax = the asked label): %.4f\n",
                r.sampled_accuracy);
    for (size_t c = 0; c < r.class_accuracy.size(); ++c) std::printf("  class %zu: %.4f\n", c, r.class_accuracy[c]);
  }
  nn::io::MetricsWriter(run + "/metrics.jsonl").write(record);
  std::printf("appended to %s/metrics.jsonl\n", run.c_str());
  return 0;
}

int run_eval(const std::string& run, const std::string& data_dir, uint64_t seed, const std::string& device,
             const std::string& iwae) {
  // Checked before anything is loaded: a bad list is an error naming --iwae.
  const std::vector<int64_t> ks = iwae.empty() ? std::vector<int64_t>{} : vae::parse_iwae_ks("--iwae", iwae);
  train::RestoredRun restored = train::restore_run(run, parse_device(device));
  DGM_CHECK(!restored.metadata.count("from"), run,
            " is a second-stage run; evaluate it through the command that trained it");
  const ModelSpec& spec = *restored.spec;
  const std::string dataset =
      restored.metadata.count("dataset") ? restored.metadata.at("dataset") : spec.datasets.front();
  // Toy sets are generated from the run's seed: the test split is the one it was trained beside.
  uint64_t data_seed = 0;
  if (restored.metadata.count("config")) {
    nlohmann::json config =
        nn::io::parse_json(restored.metadata.at("config"), run + ": config", nn::io::kMetadataJsonLimits);
    DGM_CHECK(config.is_object() && config.contains("seed") && config["seed"].is_number_unsigned(), run,
              ": config: expected an object with an unsigned integer \"seed\", got ", nn::io::json_excerpt(config));
    data_seed = config["seed"].get<uint64_t>();
  }
  DataSplits data = load_data(spec, dataset, data_dir, 0, 0, data_seed);
  manual_seed(seed);
  train::TrainOptions options;
  options.out_dir = run;
  options.device = parse_device(device);
  train::Trainer trainer(restored.model, nullptr, options);  // evaluation only
  nlohmann::json result = {{"run", run},      {"model", spec.name},           {"dataset", dataset},
                           {"split", "test"}, {"examples", data.test.size()}, {"ema", restored.ema}};
  for (const auto& [key, value] : trainer.evaluate(data.test)) result[key] = value;
  if (!ks.empty()) {
    // -L_K in nats per example on the run's test split (its test_limit), appended to RUN/metrics.jsonl.
    NoGradGuard no_grad;
    restored.model->eval();
    const int64_t limit = saved_test_limit(restored, run);
    const Batch test = limit > 0 && limit < data.test.size() ? data.test.narrow(0, limit) : data.test;
    Generator gen(seed);
    nn::io::MetricRecord record{{"split", "eval"}, {"examples", test.size()}, {"seed", seed}};
    result["iwae_examples"] = test.size();
    for (const auto& [key, value] :
         vae::evaluate_iwae(*restored.model, spec.name, test.x.to(options.device), ks, &gen)) {
      result[key] = value;
      record.set(key, value);
    }
    nn::io::MetricsWriter(run + "/metrics.jsonl").write(record);
  }
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

int run_list() {
  for (const Family& family : registry().families()) {
    std::printf("%s (%s):\n", family.title.c_str(), family.course.c_str());
    for (const ModelSpec* s : registry().specs_of(family.name)) {
      std::string ds;
      for (const auto& d : s->datasets) ds += (ds.empty() ? "" : ", ") + d;
      std::printf("  %-15s %s (%s)\n", s->name.c_str(), s->description.c_str(), s->course.c_str());
      std::printf("  %-15s data: %s (%s); loss: %s%s\n", "", ds.c_str(), s->transform.c_str(), s->loss_unit.c_str(),
                  s->from.empty() ? "" : ("; starts from a trained " + s->from + " run (--from RUN)").c_str());
      for (const auto& [name, p] : s->presets) {
        std::string opts;
        for (const auto& [oname, o] : p.optimizers)
          opts += (opts.empty() ? "" : "; ") + (p.optimizers.size() > 1 ? oname + ": " : "") + train::describe(o);
        if (opts.empty()) opts = "no optimizer (no gradient steps)";
        std::printf("  %-15s %-6s %lld epochs, batch %lld, %s%s; %s\n", "", name.c_str(),
                    static_cast<long long>(p.epochs), static_cast<long long>(p.batch_size), opts.c_str(),
                    p.ema_decay > 0 ? (", EMA " + std::to_string(p.ema_decay)).c_str() : "",
                    p.expected_time.empty() ? "time not measured" : p.expected_time.c_str());
      }
    }
  }
  std::printf("data sets (image files looked for in --data-dir, default %s):\n", nn::data::default_data_dir().c_str());
  for (const auto& d : dataset_specs())
    std::printf("  %-14s %s%s%s\n", d.name.c_str(), d.description.c_str(),
                d.fetch.empty() ? "" : "; get it with: ", d.fetch.c_str());
  return 0;
}

}  // namespace

// OpenMP's worker threads spin for a long time after each parallel loop by
// default, which starves OpenBLAS's own threads between the many small ops of
// a training step (measured: a VAE step at 37 ms instead of 30 ms). libgomp
// reads GOMP_SPINCOUNT when it loads, so the command sets it and restarts
// itself once; a value the user set is kept.
void shorten_openmp_spinning(char** argv) {
  if (std::getenv("GOMP_SPINCOUNT") || std::getenv("OMP_WAIT_POLICY")) return;
  setenv("GOMP_SPINCOUNT", "10000", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
}

namespace {

// One line: a message with its line breaks folded (CLI11 and nested errors may have some).
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// "dgm train", or "dgm" when no subcommand was named.
std::string command_of(int argc, char** argv, const CLI::App& app) {
  for (int i = 1; i < argc; ++i)
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      if (sub->get_name() == argv[i]) return "dgm " + sub->get_name();
  return "dgm";
}

}  // namespace

int main(int argc, char** argv) {
  shorten_openmp_spinning(argv);
  CLI::App app{"dgm: deep generative models from scratch"};
  app.require_subcommand(1);
  namespace limits = train::limits;

  train::RunConfig t;
  t.data_dir = nn::data::default_data_dir();
  std::string train_device = "cpu";
  std::optional<int64_t> threads;
  cli::OptimizerFlags flags;
  CLI::App* train_cmd = app.add_subcommand("train", "train a model; writes a run folder");
  train_cmd->add_option("model", t.model, "model name (see `dgm list`)")->required();
  train_cmd->add_option("--preset", t.preset, "quick (2 CPU cores, minutes) or course (the course's settings)")
      ->capture_default_str();
  train_cmd->add_option("--dataset", t.dataset, "data set (default: the model's)");
  cli::add_optional(train_cmd, "--epochs", t.epochs, limits::epochs(), "epochs, >= 1 (default: the preset's)");
  cli::add_optional(train_cmd, "--batch-size", t.batch_size, limits::batch_size(),
                    "batch size, >= 1 (default: the preset's)");
  cli::add_optimizer_flags(train_cmd, flags);
  cli::add_optional(train_cmd, "--ema", t.ema_decay, limits::ema(),
                    "EMA decay of the weights for sampling and evaluation, in [0, 1) (0: none)");
  cli::add_optional(train_cmd, "--loss-key", t.loss_key, {}, "the loss the default step minimizes");
  train_cmd->add_option("--device", train_device, "cpu or cuda")->capture_default_str();
  cli::add_checked(train_cmd, "--seed", t.seed, {}, "seed for initialization, data order and sampling");
  cli::add_optional(train_cmd, "--threads", threads, limits::threads(),
                    "CPU threads (default: all cores, or DGM_NUM_THREADS)");
  train_cmd->add_option("--out", t.out, "run folder (default: runs/MODEL)");
  train_cmd->add_flag("--resume", t.resume, "continue from the run folder's checkpoint");
  train_cmd->add_option("--from", t.from, "the trained first-stage run of a two-stage model");
  train_cmd->add_option("--data-dir", t.data_dir, "where the data sets are")->capture_default_str();
  cli::add_optional(train_cmd, "--limit", t.limit, limits::limit(), "use only the first N training examples (0: all)");
  cli::add_optional(train_cmd, "--test-limit", t.test_limit, limits::limit(),
                    "use only the first N test examples (0: all)");
  cli::add_optional(train_cmd, "--samples", t.samples, limits::samples(),
                    "samples in samples.png after each epoch, at most 4096; 0 writes no pictures (sampling is slow "
                    "on the CPU)");

  std::string run, out, data_dir = nn::data::default_data_dir(), device = "cpu", labels, iwae;
  int64_t n = 64, steps = 0;
  double guidance = 0;
  uint64_t seed = 0;
  CLI::App* sample_cmd = app.add_subcommand("sample", "draw samples from a trained run");
  sample_cmd->add_option("run", run, "run folder")->required();
  cli::add_checked(sample_cmd, "--n", n, train::closed(1, limits::kMaxSamples).with_note("at most one 64 x 64 grid"),
                   "number of samples, 1..4096");
  cli::add_checked(sample_cmd, "--seed", seed, {}, "seed");
  sample_cmd->add_option("--out", out, "PNG file (default: RUN/samples-N.png)");
  sample_cmd->add_option("--device", device, "cpu or cuda")->capture_default_str();
  sample_cmd->add_option("--labels", labels, "classes of a conditional model: 0..9 or 1,3,5 (one column each)");
  cli::add_checked(sample_cmd, "--guidance", guidance, train::at_least(0).with_note("0: none"),
                   "classifier-free guidance scale (conditional models), >= 0");
  cli::add_checked(sample_cmd, "--steps", steps,
                   train::closed(0, limits::kMaxSteps).with_note("0: the model's default"),
                   "sampler steps (0: the model's default)");
  std::string ode_method;
  sample_cmd->add_option("--ode-method", ode_method, "ODE samplers (flow matching): euler, midpoint, rk4 or dopri5")
      ->check(CLI::IsMember({"euler", "midpoint", "rk4", "dopri5"}));

  CLI::App* eval_cmd = app.add_subcommand("eval", "test losses of a trained run, as JSON");
  eval_cmd->add_option("run", run, "run folder")->required();
  eval_cmd->add_option("--data-dir", data_dir, "where the data sets are")->capture_default_str();
  cli::add_checked(eval_cmd, "--seed", seed, {}, "seed for the model's random draws");
  eval_cmd->add_option("--device", device, "cpu or cuda")->capture_default_str();
  eval_cmd->add_option("--iwae", iwae, "IWAE bounds -L_K for K in a list (1,5,50), nats per example (VAEs)");
  bool fid = false;
  int64_t eval_n = 10000;
  std::string features;
  eval_cmd->add_flag("--fid", fid, "FID, IS, precision and recall of image samples with dgm's classifier features");
  cli::add_checked(eval_cmd, "--n", eval_n, train::closed(10, 100000), "samples for --fid, 10..100000");
  eval_cmd->add_option("--features", features,
                       "the classifier run of --fid (default runs/mnist-classifier or "
                       "runs/fashion-classifier)");

  double eval_guidance = 0;
  int64_t eval_steps = 0;
  cli::add_checked(eval_cmd, "--guidance", eval_guidance, train::at_least(0).with_note("0: none"),
                   "guidance scale of the --fid samples (conditional models), >= 0");
  cli::add_checked(eval_cmd, "--steps", eval_steps,
                   train::closed(0, limits::kMaxSteps).with_note("0: the model's default"),
                   "sampler steps of the --fid samples (0: the model's default)");
  std::string eval_ode_method;
  eval_cmd->add_option("--ode-method", eval_ode_method, "ODE solver of the --fid samples: euler, midpoint, rk4, dopri5")
      ->check(CLI::IsMember({"euler", "midpoint", "rk4", "dopri5"}));
  std::string ddim_steps;
  double ddim_eta = 0;
  eval_cmd->add_option("--ddim-steps", ddim_steps,
                       "FID against DDIM steps (diffusion models): step counts, e.g. 1000,250,100,50,20,10 "
                       "(--n default 500)");
  cli::add_checked(eval_cmd, "--eta", ddim_eta, train::closed(0, 1), "DDIM's eta of --ddim-steps, in [0, 1]");

  app.add_subcommand("list", "models by family, their presets and data sets");

  // Every failure is one line "dgm <subcommand>: <message>" and a non-zero exit; --help prints the usage.
  const std::string command = command_of(argc, argv, app);
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --help-all
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      std::fprintf(stderr, "%s: %s (see %s --help)\n", command.c_str(), one_line(e.what()).c_str(), command.c_str());
      return 2;
    }
    if (*train_cmd) return run_train(t, train_device, threads, flags);
    if (*sample_cmd) return run_sample(run, n, seed, out, device, labels, guidance, steps, ode_method);
    if (*eval_cmd) {
      if (!ddim_steps.empty()) {
        DGM_CHECK(!fid && iwae.empty(), "--ddim-steps, --fid and --iwae: give them in separate calls");
        DGM_CHECK(eval_cmd->count("--ode-method") == 0, "--ode-method is an option of --fid, not of --ddim-steps");
        diffusion::DdimStepsOptions o;
        o.steps = diffusion::parse_steps_list("--ddim-steps", ddim_steps);
        o.n = eval_cmd->count("--n") ? eval_n : 500;
        o.eta = ddim_eta;
        o.seed = seed;
        diffusion::eval_ddim_steps(run, data_dir, features, parse_device(device), o);
        return 0;
      }
      DGM_CHECK(eval_cmd->count("--eta") == 0, "--eta is an option of --ddim-steps");
      DGM_CHECK(!fid || iwae.empty(), "--fid and --iwae: give them in separate calls");
      DGM_CHECK(fid || (features.empty() && eval_cmd->count("--n") == 0),
                "--n and --features are options of --fid and --ddim-steps");
      DGM_CHECK(fid || (eval_cmd->count("--guidance") == 0 && eval_cmd->count("--steps") == 0 &&
                        eval_cmd->count("--ode-method") == 0),
                "--guidance, --steps and --ode-method are options of --fid");
      if (fid)
        return run_eval_fid(run, data_dir, seed, device, eval_n, features, eval_guidance, eval_steps, eval_ode_method);
      return run_eval(run, data_dir, seed, device, iwae);
    }
    return run_list();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory (std::bad_alloc); try a smaller --batch-size, --n or --samples\n",
                 command.c_str());
  } catch (const std::exception& e) {  // dgm::Error and anything a library throws
    std::fprintf(stderr, "%s: %s\n", command.c_str(), one_line(e.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "%s: stopped by an unknown exception\n", command.c_str());
  }
  return 1;
}
