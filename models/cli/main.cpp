// The `dgm` command:
//   dgm train MODEL [--dataset --epochs --batch-size --lr --device --seed --threads --out --resume --data-dir]
//   dgm sample RUN [--n 64] [--seed S] [--out FILE]
//   dgm eval RUN [--data-dir DIR]
//   dgm list
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "cuda/cuda.h"
#include "models/registry.h"
#include "models/train/checkpoint.h"
#include "models/train/trainer.h"
#include "nn/data/mnist.h"
#include "nn/io/image_grid.h"
#include "nn/optim/adam.h"
#include "tensor/parallel.h"

namespace fs = std::filesystem;
using namespace dgm;

namespace {

struct TrainArgs {
  std::string model, dataset, device = "cpu", out, data_dir = data::default_data_dir();
  int64_t epochs = -1, batch_size = -1, limit = 0, test_limit = 0, samples = 64;
  double lr = -1;
  uint64_t seed = 0;
  int threads = 0;
  bool resume = false;
};

Device parse_device(const std::string& device) {
  DGM_CHECK(device == "cpu" || device == "cuda", "--device must be cpu or cuda, got \"", device, "\"");
  if (device == "cpu") return Device(kCPU);
  DGM_CHECK(cuda::is_available(), "--device cuda: no GPU can be used: ", cuda::unavailable_reason());
  return Device(kCUDA);
}

Tensor first(const Tensor& x, int64_t n) { return n > 0 && n < x.size(0) ? x.narrow(0, 0, n) : x; }

int run_train(const TrainArgs& a) {
  const models::ModelSpec& spec = models::find_model(a.model);
  const Device device = parse_device(a.device);
  if (a.threads > 0) set_num_threads(a.threads);
  const std::string dataset = a.dataset.empty() ? spec.datasets.front() : a.dataset;
  auto [train_images, test_images] = models::load_images(dataset, a.data_dir);
  Tensor train_x = spec.prepare(first(train_images, a.limit));
  Tensor test_x = spec.prepare(first(test_images, a.test_limit));

  train::TrainOptions options;
  options.epochs = a.epochs > 0 ? a.epochs : spec.epochs;
  options.batch_size = a.batch_size > 0 ? a.batch_size : spec.batch_size;
  options.seed = a.seed;
  options.out_dir = a.out.empty() ? "runs/" + spec.name : a.out;
  options.resume = a.resume;
  options.device = device;
  options.n_samples = a.samples;
  const double lr = a.lr > 0 ? a.lr : spec.lr;
  nlohmann::json config = {{"model", spec.name},         {"dataset", dataset}, {"epochs", options.epochs},
                           {"batch_size", options.batch_size}, {"lr", lr},        {"seed", a.seed},
                           {"train_examples", train_x.size(0)}, {"test_examples", test_x.size(0)}};
  options.metadata = {{"model", spec.name}, {"dataset", dataset}, {"config", config.dump()}};

  manual_seed(a.seed);  // parameter initialization
  auto model = spec.make();
  model->to(device);  // before the optimizer sees the parameters
  auto optimizer = std::make_shared<optim::Adam>(model->parameters(), optim::AdamOptions(lr));
  std::printf("dgm train %s on %s: %lld train / %lld test examples, %lld epochs, batch %lld, lr %g, %d threads\n",
              spec.name.c_str(), dataset.c_str(), static_cast<long long>(train_x.size(0)),
              static_cast<long long>(test_x.size(0)), static_cast<long long>(options.epochs),
              static_cast<long long>(options.batch_size), lr, get_num_threads());
  train::Trainer trainer(model, optimizer, options);
  train::LossValues test = trainer.fit(train_x, test_x);
  std::printf("\nrun folder: %s\n", options.out_dir.c_str());
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(options.out_dir))
    if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) std::printf("  %s/%s\n", options.out_dir.c_str(), f.c_str());
  std::printf("final test loss (%s): %.4f\n", spec.loss_unit.c_str(), test["loss"]);
  return 0;
}

// The model of a run folder, restored from its checkpoint.
std::pair<std::shared_ptr<models::GenerativeModel>, std::map<std::string, std::string>> restore(const std::string& run, Device device) {
  const std::string ckpt = (fs::path(run) / "checkpoint.safetensors").string();
  DGM_CHECK(fs::exists(ckpt), "no checkpoint at ", ckpt, "; train first with `dgm train MODEL --out ", run, "`");
  auto metadata = train::read_checkpoint_metadata(ckpt);
  DGM_CHECK(metadata.count("model"), ckpt, " does not say which model it holds");
  auto model = models::find_model(metadata["model"]).make();
  model->to(device);
  train::load_checkpoint(ckpt, *model, nullptr, /*restore_rng=*/false);
  model->eval();
  return {model, metadata};
}

int run_sample(const std::string& run, int64_t n, uint64_t seed, std::string out, const std::string& device) {
  auto [model, metadata] = restore(run, parse_device(device));
  NoGradGuard no_grad;
  Generator gen(seed);
  if (out.empty()) out = (fs::path(run) / ("samples-" + std::to_string(n) + ".png")).string();
  io::save_image_grid(out, model->generate(n, &gen).clamp(0.0, 1.0));
  std::printf("%lld samples from %s: %s\n", static_cast<long long>(n), metadata["model"].c_str(), out.c_str());
  return 0;
}

int run_eval(const std::string& run, const std::string& data_dir, uint64_t seed, const std::string& device) {
  auto [model, metadata] = restore(run, parse_device(device));
  const models::ModelSpec& spec = models::find_model(metadata["model"]);
  const std::string dataset = metadata.count("dataset") ? metadata["dataset"] : spec.datasets.front();
  Tensor test_x = spec.prepare(models::load_images(dataset, data_dir).second);
  manual_seed(seed);
  train::TrainOptions options;
  options.out_dir = run;
  options.device = model->parameters().front().device();
  auto optimizer = std::make_shared<optim::Adam>(model->parameters());
  train::Trainer trainer(model, optimizer, options);
  nlohmann::json result = {{"run", run}, {"model", spec.name}, {"dataset", dataset}, {"split", "test"},
                           {"examples", test_x.size(0)}};
  for (const auto& [key, value] : trainer.evaluate(test_x)) result[key] = value;
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

int run_list() {
  std::printf("models:\n");
  for (const auto& s : models::model_specs()) {
    std::string ds;
    for (const auto& d : s.datasets) ds += (ds.empty() ? "" : ", ") + d;
    std::printf("  %-13s %s\n                data: %s (%s); loss: %s; defaults: %lld epochs, batch %lld, lr %g\n",
                s.name.c_str(), s.description.c_str(), ds.c_str(), s.transform.c_str(), s.loss_unit.c_str(),
                static_cast<long long>(s.epochs), static_cast<long long>(s.batch_size), s.lr);
  }
  std::printf("data sets (looked for in --data-dir, default %s):\n", data::default_data_dir().c_str());
  for (const auto& d : models::dataset_specs())
    std::printf("  %-14s %s; get it with: %s\n", d.name.c_str(), d.description.c_str(), d.fetch.c_str());
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

int main(int argc, char** argv) {
  shorten_openmp_spinning(argv);
  CLI::App app{"dgm: deep generative models from scratch"};
  app.require_subcommand(1);

  TrainArgs t;
  CLI::App* train_cmd = app.add_subcommand("train", "train a model; writes a run folder");
  train_cmd->add_option("model", t.model, "model name (see `dgm list`)")->required();
  train_cmd->add_option("--dataset", t.dataset, "data set (default: the model's)");
  train_cmd->add_option("--epochs", t.epochs, "epochs (default: the model's)");
  train_cmd->add_option("--batch-size", t.batch_size, "batch size (default: the model's)");
  train_cmd->add_option("--lr", t.lr, "Adam learning rate (default: the model's)");
  train_cmd->add_option("--device", t.device, "cpu or cuda")->capture_default_str();
  train_cmd->add_option("--seed", t.seed, "seed for initialization, data order and sampling")->capture_default_str();
  train_cmd->add_option("--threads", t.threads, "CPU threads (default: all cores, or DGM_NUM_THREADS)");
  train_cmd->add_option("--out", t.out, "run folder (default: runs/MODEL)");
  train_cmd->add_flag("--resume", t.resume, "continue from the run folder's checkpoint");
  train_cmd->add_option("--data-dir", t.data_dir, "where the data sets are")->capture_default_str();
  train_cmd->add_option("--limit", t.limit, "use only the first N training examples");
  train_cmd->add_option("--test-limit", t.test_limit, "use only the first N test examples");
  train_cmd->add_option("--samples", t.samples,
                        "images in samples.png after each epoch; 0 writes no pictures (sampling is slow on the CPU)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  std::string run, out, data_dir = data::default_data_dir(), device = "cpu";
  int64_t n = 64;
  uint64_t seed = 0;
  CLI::App* sample_cmd = app.add_subcommand("sample", "draw samples from a trained run");
  sample_cmd->add_option("run", run, "run folder")->required();
  sample_cmd->add_option("--n", n, "number of samples")->capture_default_str();
  sample_cmd->add_option("--seed", seed, "seed")->capture_default_str();
  sample_cmd->add_option("--out", out, "PNG file (default: RUN/samples-N.png)");
  sample_cmd->add_option("--device", device, "cpu or cuda")->capture_default_str();

  CLI::App* eval_cmd = app.add_subcommand("eval", "test losses of a trained run, as JSON");
  eval_cmd->add_option("run", run, "run folder")->required();
  eval_cmd->add_option("--data-dir", data_dir, "where the data sets are")->capture_default_str();
  eval_cmd->add_option("--seed", seed, "seed for the model's random draws")->capture_default_str();
  eval_cmd->add_option("--device", device, "cpu or cuda")->capture_default_str();

  app.add_subcommand("list", "models, data sets and what each needs");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*train_cmd) return run_train(t);
    if (*sample_cmd) return run_sample(run, n, seed, out, device);
    if (*eval_cmd) return run_eval(run, data_dir, seed, device);
    return run_list();
  } catch (const dgm::Error& e) {
    std::fprintf(stderr, "dgm: %s\n", e.what());
    return 1;
  }
}
