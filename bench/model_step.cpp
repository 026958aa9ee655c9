// dgm_model_step: milliseconds per training step of the course's models, for comparison with
// bench/model_step_torch.py (the same models in PyTorch eager). Two modes.
//
// Registry mode (what bench/models runs, one process per model), on the CPU, one JSON line per model:
//   build/bin/dgm_model_step --model NAME | --all [--steps 5] [--warmup 2] [--data-dir data]
// builds the model as `dgm train NAME --preset quick` does (spec.make, the preset's optimizers through
// models/train/optimizers.h; a two-stage model gets a fresh untrained first stage and stage_data), takes the
// first quick-preset batch of its default data set through load_data (real files from --data-dir; the whole
// training split for a full-batch model), and times model->train_step plus reading every loss back, as the
// trainer does: "batch", median "ms_wall" and "ms_cpu" (all threads) of --steps steps after --warmup, "peak_bytes"
// (dgm's allocator, over the steps), "peak_rss_bytes" (the process's peak RSS, VmHWM, from a reset after the batch
// is loaded and the data set freed), "start_rss_bytes" (the RSS then, before the model), "rss_reset" (the reset
// worked), "threads", "load". A model whose data files are missing, or that fails, prints "skipped" with the reason.
//   build/bin/dgm_model_step --sample NAME [--n N] [--sample-steps S] [--kv-cache]
// seconds per image of the model's own sampler (sample(), or generate() with --kv-cache), untrained weights.
//   build/bin/dgm_model_step --list   registered models: name, family, quick batch, two_stage
//   build/bin/dgm_model_step --info   openblas_get_corename(), threads, load average
//
// Hand-picked cases (no JSON):
//   build/bin/dgm_model_step [cpu|cuda] [steps] [models, default vae,pixelcnn_stack]
// - vae: the conv VAE of `dgm train vae` (models/vae/conv_vae.h), batch 128 of
//   random binary 28x28 images, Adam 1e-3.
// - pixelcnn_stack: a PixelCNN-size conv stack (the course's homework 1):
//   MaskedConv2d A 1->64 7x7, then 5 x (MaskedConv2d B 64->64 7x7, ReLU), then
//   a 1x1 conv to 2 classes and cross-entropy against the input pixels;
//   batch 128 of 28x28, Adam 1e-3.
// - pixelcnn (only when named): the PixelCNN of `dgm train pixelcnn` (the
//   stack above plus channel layer norms and ReLUs), batch 128.
// - realnvp (only when named): homework 2's RealNVP of `dgm train realnvp`
//   (12 couplings, 16 filters, 1 gated block, nbins 2), batch 64, loss nll_loss.
// - resnet_vae (only when named): homework 2's ResNet VAE of `dgm train resnet-vae --preset quick` (1x28x28,
//   widths 16, 32, 16 latents), batch 128 of random images in [-1, 1], loss elbo_loss (fresh eps each step).
// - vqvae (only when named): homework 3's VQ-VAE of `dgm train vqvae` (K = 128,
//   D = 16, 32 channels), batch 128, loss total_loss (with the logged perplexity and pixel error).
// - pixelcnn_gray (only when named): the seminar's 256-level PixelCNN of
//   `dgm train pixelcnn-gray` (masked convs 64, 128, 256, 256, 256, kernel 5,
//   channel layer norm, 256 classes), batch 128 of random 28x28 images on the
//   1/255 grid.
// - imagegpt (only when named): the ImageGPT of `dgm train imagegpt` (784
//   binary tokens, embed 64, 4 heads, 2 blocks), batch 64, Adam 1e-3.
// - imagegpt_sample (only when named): seconds to draw 4 images with the
//   course's sampler (sample(): a forward pass over the prefix per pixel) and
//   with the key-value cache (models/ar/imagegpt_kv_cache.h), same weights.
// - wgan_gp_critic, wgan_gp_generator (only when named): homework 3's WGAN-GP of `dgm train wgan-gp --preset quick`
//   (ConvGenerator and ConvCritic of width 16, 1x32x32, noise 128), batch 64 of random images in [-1, 1], Adam
//   (1e-3, betas (0, 0.9)) on the critic's or the generator's parameters: one critic step (critic_loss with the
//   gradient penalty, a double backward; fresh z and t) or one generator step (generator_loss; fresh z).
// - unet_ddpm (only when named): homework 5's UNet DDPM as `dgm train ddpm-mnist-cfg --preset quick` builds it
//   (hidden 32, multipliers [1, 2, 2], attention from level 1, dropout 0.1, T = 1000), batch 32 of 1x32x32 images in
//   [0, 1] with labels, fresh t and noise per step (the twin of bench/twins/unet_ddpm_twin.py), Adam 1e-3.
// - cfm_mnist (only when named): homework 6's flow matching UNet as `dgm train cfm-mnist --preset quick` builds it
//   (continuous time, hidden 32, multipliers [1, 2, 2], 1 block, attention from level 1, dropout 0.1), batch 32 of
//   1x32x32 images in [0, 1], fresh noise and t per step (the twin of bench/twins/flow_matching_twin.py), Adam 1e-3.
// Every step reads the loss back (.item()), as the trainer does to log it. Before each result a line gives the
// median CPU time of a step (all threads) and the load average. On a machine loaded by other processes, libgomp's
// default spin-waiting makes dgm's 2-thread steps several times slower (2026-12-04, unet_ddpm, load ~4 on 2 cores:
// 3.4-4.3 s per step, 0.7-1.2 s with OMP_WAIT_POLICY=passive); compare at 1 thread, or set the policy.
//   build/bin/dgm_model_step cpu 10 imagegpt,imagegpt_sample
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "dgm.h"
#include "models/ar/imagegpt.h"
#include "models/ar/imagegpt_kv_cache.h"
#include "models/datasets.h"
#include "models/diffusion/conditional_ddpm.h"
#include "models/flow_matching/flow_matching.h"
#include "models/gan/wgan.h"
#include "models/registry.h"
#include "models/train/optimizers.h"
#include "models/train/trainer.h"
#include "models/vae/conv_vae.h"

extern "C" char* openblas_get_corename();

using namespace dgm;
using models::Batch;
using models::ModelSpec;
using models::TrainSettings;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The process's CPU time (every thread, user and system), in ms.
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// A "Vm...:" line of /proc/self/status in bytes: "VmRSS" the resident set now, "VmHWM" its peak (-1: unreadable).
int64_t status_bytes(const char* key) {
  int64_t kb = -1;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    const std::string prefix = std::string(key) + ":";
    while (std::fgets(line, sizeof line, f))
      if (std::string(line).rfind(prefix, 0) == 0) {
        kb = std::atoll(line + prefix.size());
        break;
      }
    std::fclose(f);
  }
  return kb < 0 ? -1 : kb * 1024;
}

// Sets the peak RSS (VmHWM) back to the RSS now (Linux: 5 into /proc/self/clear_refs); false when refused.
bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

double load_average() {
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

// Median over `steps` timed steps (after 5 warm-up steps) of one training step, in ms of wall time. Also printed
// first, on a line of its own: the median CPU time of a step (all threads), the load average and the peak memory
// over the steps (dgm's CPU allocator, and the process's RSS from before the first step), since on a shared
// machine the wall time follows the other processes (compare CPU times at 1 thread, DGM_NUM_THREADS=1).
double time_steps(int steps, const std::function<double()>& step) {
  cpu_reset_peak_memory_stats();
  reset_peak_rss();
  for (int i = 0; i < 5; ++i) step();
  std::vector<double> ms, cpu_ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_ms();
    step();  // ends with .item(): the GPU is done when it returns
    cpu_ms.push_back(process_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("  (cpu time %.3f ms/step, load average %.2f, peak %.0f MB in dgm's CPU allocator, peak RSS %.0f MB)\n",
              median(cpu_ms), load_average(), cpu_memory_stats().peak_bytes_in_use / 1048576.0,
              status_bytes("VmHWM") / 1048576.0);
  return median(ms);
}

// Median ms per Adam (lr 1e-3) step of `model` on the loss loss_fn() returns.
double time_training(nn::Module& model, int steps, const std::function<Tensor()>& loss_fn) {
  nn::optim::Adam opt(model.parameters(), nn::optim::AdamOptions(1e-3));
  return time_steps(steps, [&] {
    Tensor loss = loss_fn();
    opt.zero_grad();
    loss.backward();
    opt.step();
    return loss.item<double>();
  });
}

struct PixelCNNStack : nn::Module {
  std::vector<std::shared_ptr<nn::MaskedConv2d>> convs;
  std::shared_ptr<nn::Conv2d> head;
  PixelCNNStack() {
    convs.push_back(register_module("conv0", std::make_shared<nn::MaskedConv2d>('A', 1, 64, 7)));
    for (int i = 1; i <= 5; ++i)
      convs.push_back(register_module("conv" + std::to_string(i), std::make_shared<nn::MaskedConv2d>('B', 64, 64, 7)));
    head = register_module("head", std::make_shared<nn::Conv2d>(64, 2, 1));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = x;
    for (size_t i = 0; i < convs.size(); ++i) h = i == 0 ? convs[i]->forward(h) : convs[i]->forward(h).relu();
    return head->forward(h);
  }
};

// ---- registry mode: one JSON line per registered model ----

// `s` as a JSON string literal.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct RegistryOptions {
  int steps = 5;
  int warmup = 2;
  std::string data_dir = "data";
  int64_t n = 0;             // sampling: images drawn (0: the preset's)
  int64_t sample_steps = 0;  // sampling: sampler steps (0: the model's default)
  bool kv_cache = false;     // sampling: generate() (ImageGPT's key-value cache) instead of sample()
};

// One training batch of `spec` as `dgm train NAME --preset quick` sees it: the quick preset's batch size from the
// model's default data set through load_data (the first examples, no shuffle; a full-batch model gets the whole
// training split). A two-stage model gets a fresh untrained first stage (returned in `parent`) and stage_data on
// the batch.
Batch training_batch(const ModelSpec& spec, const TrainSettings& settings, const RegistryOptions& o,
                     std::shared_ptr<models::GenerativeModel>& parent) {
  const int64_t limit = spec.full_batch ? 0 : settings.batch_size;
  if (spec.from.empty()) return models::load_data(spec, spec.datasets.front(), o.data_dir, limit, 1).train;
  const ModelSpec& first = models::find_model(spec.from);
  ModelSpec data_spec = first;
  data_spec.conditional = first.conditional || spec.conditional;  // as train_run: labels kept for either stage
  const Batch split = models::load_data(data_spec, first.datasets.front(), o.data_dir, limit, 1).train;
  manual_seed(0);
  parent = first.make(models::MakeContext{nullptr, "quick"});
  NoGradGuard no_grad;
  parent->eval();
  return spec.stage_data(*parent, split);
}

// {"name": ..., "family": ..., then `fields`}.
void print_json(const ModelSpec& spec, const std::string& fields) {
  std::printf("{\"name\": %s, \"family\": %s, %s}\n", json_string(spec.name).c_str(), json_string(spec.family).c_str(),
              fields.c_str());
  std::fflush(stdout);
}

// Times model->train_step on one quick-preset batch: median wall and CPU ms of `steps` steps after `warmup`, the
// allocator's peak bytes over those steps (from a reset after the model, its optimizers and the batch exist) and
// the process's peak RSS. A model that cannot be built here (its data set's files missing) prints "skipped".
void time_registered(const ModelSpec& spec, const RegistryOptions& o) {
  const TrainSettings& settings = spec.preset("quick");
  std::shared_ptr<models::GenerativeModel> parent;
  Batch batch;
  try {
    // a copy of the batch, so the data set's files are freed (the split's tensors are views of them)
    const Batch loaded = training_batch(spec, settings, o, parent);
    std::vector<Tensor> copies;
    for (const Tensor& t : loaded.tensors()) copies.push_back(t.clone());
    batch = Batch::from_tensors(copies, loaded.has_labels(), loaded.has_pair());
  } catch (const Error& e) {
    print_json(spec, "\"skipped\": " + json_string(std::string("no data: ") + e.what()));
    return;
  }
  // The peak RSS from here on: the data set's files given back to the system first.
  cpu_empty_cache();
  const bool rss_reset = reset_peak_rss();
  const int64_t start_rss = status_bytes("VmRSS");
  manual_seed(0);  // parameter initialization, as train_run
  std::shared_ptr<models::GenerativeModel> model = spec.make(models::MakeContext{parent, "quick"});
  models::train::Optimizers optimizers(model->optimizer_groups(), settings.optimizers, settings.loss_key,
                                       models::train::steps_per_epoch(batch.size(), settings.batch_size),
                                       settings.epochs);
  model->train();
  cpu_reset_peak_memory_stats();
  std::vector<double> ms, cpu_ms;
  for (int i = 0; i < o.warmup + o.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_ms();
    const models::Losses losses = model->train_step(batch, optimizers);
    for (const auto& [key, value] : losses) value.item<double>();  // the trainer logs every loss
    optimizers.end_step();
    if (i < o.warmup) continue;
    cpu_ms.push_back(process_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  char fields[512];
  std::snprintf(
      fields, sizeof fields,
      "\"batch\": %lld, \"steps\": %d, \"ms_wall\": %.3f, \"ms_cpu\": %.3f, \"peak_bytes\": %lld, "
      "\"peak_rss_bytes\": %lld, \"start_rss_bytes\": %lld, \"rss_reset\": %s, \"threads\": %d, \"load\": %.2f, "
      "\"data\": %s",
      static_cast<long long>(batch.size()), o.steps, median(ms), median(cpu_ms),
      static_cast<long long>(cpu_memory_stats().peak_bytes_in_use), static_cast<long long>(status_bytes("VmHWM")),
      static_cast<long long>(start_rss), rss_reset ? "true" : "false", get_num_threads(), load_average(),
      json_string(spec.from.empty() ? spec.datasets.front() : spec.from + " (untrained) on its data").c_str());
  print_json(spec, fields);
}

// Seconds per image of the model's own sampler, untrained weights (the time does not depend on them), eval mode,
// no graph: one call drawing o.n images (with o.sample_steps sampler steps when set), after none.
void time_sampling(const ModelSpec& spec, const RegistryOptions& o) {
  const TrainSettings& settings = spec.preset("quick");
  std::shared_ptr<models::GenerativeModel> parent;
  if (!spec.from.empty()) parent = models::find_model(spec.from).make(models::MakeContext{nullptr, "quick"});
  manual_seed(0);
  std::shared_ptr<models::GenerativeModel> model = spec.make(models::MakeContext{parent, "quick"});
  model->eval();
  NoGradGuard no_grad;
  const int64_t n = o.n > 0 ? o.n : settings.samples;
  Generator gen(0);
  models::SampleOptions options(&gen);
  options.steps = o.sample_steps;
  if (model->num_classes() > 0) {  // labels cycling over the classes, as the trainer's pictures
    std::vector<int64_t> labels(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = i % model->num_classes();
    options.labels = tensor(labels);
  }
  cpu_reset_peak_memory_stats();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_ms();
  Tensor x = o.kv_cache ? model->generate(n, options) : model->sample(n, options);
  x.sum().item<double>();
  const double cpu_s = (process_cpu_ms() - c0) * 1e-3;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char fields[512];
  std::snprintf(fields, sizeof fields,
                "\"sampler\": %s, \"n\": %lld, \"sample_steps\": %lld, \"s_per_image_wall\": %.4f, "
                "\"s_per_image_cpu\": %.4f, \"peak_bytes\": %lld, \"peak_rss_bytes\": %lld, \"threads\": %d, "
                "\"load\": %.2f",
                json_string(o.kv_cache ? "generate" : "sample").c_str(), static_cast<long long>(n),
                static_cast<long long>(o.sample_steps), s / n, cpu_s / n,
                static_cast<long long>(cpu_memory_stats().peak_bytes_in_use),
                static_cast<long long>(status_bytes("VmHWM")), get_num_threads(), load_average());
  print_json(spec, fields);
}

// time_registered, or a "skipped" line naming the error when the model cannot be built or stepped here.
void time_or_skip(const ModelSpec& spec, const RegistryOptions& o) {
  try {
    time_registered(spec, o);
  } catch (const Error& e) {
    print_json(spec, "\"skipped\": " + json_string(std::string("failed: ") + e.what()));
  }
}

// dgm_model_step --list | --info | --model NAME | --all | --sample NAME, with [--steps N] [--warmup N]
// [--data-dir DIR] [--n N] [--sample-steps N] [--kv-cache].
int registry_main(int argc, char** argv) {
  RegistryOptions o;
  std::string mode, name;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      DGM_CHECK(i + 1 < argc, "dgm_model_step: ", a, " needs a value");
      return argv[++i];
    };
    if (a == "--list" || a == "--info" || a == "--all") {
      mode = a;
    } else if (a == "--model" || a == "--sample") {
      mode = a;
      name = value();
    } else if (a == "--steps") {
      o.steps = std::stoi(value());
    } else if (a == "--warmup") {
      o.warmup = std::stoi(value());
    } else if (a == "--data-dir") {
      o.data_dir = value();
    } else if (a == "--n") {
      o.n = std::stoll(value());
    } else if (a == "--sample-steps") {
      o.sample_steps = std::stoll(value());
    } else if (a == "--kv-cache") {
      o.kv_cache = true;
    } else {
      DGM_FAIL("dgm_model_step: unknown option ", a,
               " (--list, --info, --model NAME, --all, --sample NAME, --steps, --warmup, --data-dir, --n, "
               "--sample-steps, --kv-cache)");
    }
  }
  DGM_CHECK(o.steps > 0 && o.warmup >= 0, "dgm_model_step: --steps must be > 0 and --warmup >= 0, got ", o.steps,
            " and ", o.warmup);
  if (mode == "--list") {
    for (const ModelSpec& spec : models::model_specs())
      print_json(spec, "\"batch\": " + std::to_string(spec.preset("quick").batch_size) +
                           ", \"two_stage\": " + (spec.from.empty() ? "false" : "true"));
  } else if (mode == "--info") {
    std::printf("{\"openblas_core\": %s, \"threads\": %d, \"load\": %.2f}\n",
                json_string(openblas_get_corename()).c_str(), get_num_threads(), load_average());
  } else if (mode == "--model") {
    time_or_skip(models::find_model(name), o);
  } else if (mode == "--all") {  // one process; each model frees the cache and resets the peak RSS first
    for (const ModelSpec& spec : models::model_specs()) time_or_skip(spec, o);
  } else if (mode == "--sample") {
    time_sampling(models::find_model(name), o);
  } else {
    DGM_FAIL("dgm_model_step: give --list, --info, --model NAME, --all or --sample NAME");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]).rfind("--", 0) == 0) return registry_main(argc, argv);
  const std::string dev = argc > 1 ? argv[1] : "cuda";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 50;
  const std::string which = "," + std::string(argc > 3 ? argv[3] : "vae,pixelcnn_stack") + ",";
  auto wanted = [&](const char* name) { return which.find("," + std::string(name) + ",") != std::string::npos; };
  if (dev == "cuda" && !cuda::is_available()) {
    std::printf("dgm_model_step: skipped, no GPU: %s\n", cuda::unavailable_reason().c_str());
    return 0;
  }
  const Device device = dev == "cuda" ? Device(kCUDA) : Device(kCPU);
  std::printf("dgm_model_step on %s\n", dev == "cuda" ? cuda::device_name().c_str() : "cpu");
  manual_seed(0);
  Tensor x = (rand({128, 1, 28, 28}) > 0.5).to(kFloat32).to(device);

  if (wanted("vae")) {
    models::ConvVAE vae;
    vae.to(device);
    std::printf("vae             %8.3f ms/step\n", time_training(vae, steps, [&] { return vae.loss(x).at("loss"); }));
  }
  if (wanted("pixelcnn_stack")) {
    PixelCNNStack net;
    net.to(device);
    Tensor target = x.to(kInt64).squeeze(1);  // (B, 28, 28) class per pixel
    std::printf("pixelcnn_stack  %8.3f ms/step\n",
                time_training(net, steps, [&] { return nn::functional::cross_entropy(net.forward(x), target); }));
  }
  // the registry's PixelCNNs, as `dgm train` builds them
  for (const auto& [key, registered] : {std::pair<std::string, std::string>{"pixelcnn", "pixelcnn"},
                                        std::pair<std::string, std::string>{"pixelcnn_gray", "pixelcnn-gray"}}) {
    if (!wanted(key.c_str())) continue;
    std::shared_ptr<models::GenerativeModel> model = models::find_model(registered).make({});
    model->to(device);
    const double top = key == "pixelcnn" ? 1.0 : 255.0;  // binary or 256-level pixels
    Tensor images = ((rand({128, 1, 28, 28}) * (top + 1)).floor().clamp(0.0, top) / top).to(device);
    std::printf("%-15s %8.3f ms/step\n", key.c_str(),
                time_training(*model, steps, [&] { return model->loss(images).at("loss"); }));
  }
  // homework 2's RealNVP as `dgm train realnvp` builds it (binarized MNIST, nbins 2), the quick preset's batch 64
  if (wanted("realnvp")) {
    std::shared_ptr<models::GenerativeModel> model = models::find_model("realnvp").make({});
    model->to(device);
    Tensor images = x.narrow(0, 0, 64);
    std::printf("realnvp         %8.3f ms/step\n",
                time_training(*model, steps, [&] { return model->loss(images).at("nll_loss"); }));
  }
  // homework 2's ResNet VAE as `dgm train resnet-vae --preset quick` builds it, batch 128 in [-1, 1]
  if (wanted("resnet_vae")) {
    std::shared_ptr<models::GenerativeModel> model = models::find_model("resnet-vae").make({});
    model->to(device);
    Tensor images = (rand({128, 1, 28, 28}) * 2.0 - 1.0).to(device);
    std::printf("resnet_vae      %8.3f ms/step\n",
                time_training(*model, steps, [&] { return model->loss(images).at("elbo_loss"); }));
  }
  // homework 3's VQ-VAE as `dgm train vqvae` builds it, batch 128
  if (wanted("vqvae")) {
    std::shared_ptr<models::GenerativeModel> model = models::find_model("vqvae").make({});
    model->to(device);
    std::printf("vqvae           %8.3f ms/step\n",
                time_training(*model, steps, [&] { return model->loss(x).at("total_loss"); }));
  }
  // homework 3's WGAN-GP as `dgm train wgan-gp --preset quick` builds it: a critic step and a generator step
  if (wanted("wgan_gp_critic") || wanted("wgan_gp_generator")) {
    auto model = std::dynamic_pointer_cast<models::gan::WGAN_GP>(models::find_model("wgan-gp").make({}));
    model->to(device);
    Tensor images = (rand({64, 1, 32, 32}) * 2.0 - 1.0).to(device);
    auto o = nn::optim::AdamOptions(1e-3).betas({0.0, 0.9});
    nn::optim::Adam critic_opt(model->critic->parameters(), o), generator_opt(model->generator->parameters(), o);
    if (wanted("wgan_gp_critic"))
      std::printf("wgan_gp_critic  %8.3f ms/step\n", time_steps(steps, [&] {
                    Tensor loss = model->loss_discriminator(images).at("critic_loss");
                    critic_opt.zero_grad();
                    loss.backward();
                    critic_opt.step();
                    return loss.item<double>();
                  }));
    if (wanted("wgan_gp_generator"))
      std::printf("wgan_gp_generator %6.3f ms/step\n", time_steps(steps, [&] {
                    Tensor loss = model->loss_generator(64).at("generator_loss");
                    generator_opt.zero_grad();
                    loss.backward();
                    generator_opt.step();
                    return loss.item<double>();
                  }));
  }
  models::ImageGPT gpt(std::pair<int64_t, int64_t>{28, 28}, 64, 4, 2);
  gpt.to(device);
  // homework 5's UNet DDPM as `dgm train ddpm-mnist-cfg --preset quick` builds it, batch 32 with labels
  if (wanted("unet_ddpm")) {
    auto unet = std::make_shared<models::diffusion::UNet>(1000, 10, 32, std::vector<int64_t>{1, 2, 2}, 1, 0.1, 1);
    auto model = std::make_shared<models::diffusion::ConditionalDDPM>(1000, unet);
    model->to(device);
    const models::Batch batch(rand({32, 1, 32, 32}).to(device), randint(0, 10, {32}).to(device));
    std::printf("unet_ddpm       %8.3f ms/step\n",
                time_training(*model, steps, [&] { return model->loss(batch).at("loss"); }));
  }
  // homework 6's flow matching UNet as `dgm train cfm-mnist --preset quick` builds it, batch 32
  if (wanted("cfm_mnist")) {
    std::shared_ptr<models::GenerativeModel> model = models::find_model("cfm-mnist").make({});
    model->to(device);
    const models::Batch batch(rand({32, 1, 32, 32}).to(device));
    std::printf("cfm_mnist       %8.3f ms/step\n",
                time_training(*model, steps, [&] { return model->loss(batch).at("total_loss"); }));
  }
  if (wanted("imagegpt")) {
    Tensor tokens = x.narrow(0, 0, 64).flatten(1);  // (64, 784)
    cpu_reset_peak_memory_stats();
    std::printf("imagegpt        %8.3f ms/step\n",
                time_training(gpt, steps, [&] { return gpt.loss(tokens).at("loss"); }));
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // ru_maxrss in KB, over the whole process
    std::printf("  (imagegpt peak: dgm allocator %.0f MB, process peak RSS %.0f MB)\n",
                static_cast<double>(cpu_memory_stats().peak_bytes_in_use) / 1e6, usage.ru_maxrss / 1e3);
  }
  if (wanted("imagegpt_sample")) {
    gpt.eval();
    auto seconds = [](const std::function<Tensor()>& draw) {
      auto t0 = std::chrono::steady_clock::now();
      draw().sum().item<double>();  // waits for the GPU
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    Generator g1(1), g2(1);
    const double cached = seconds([&] { return models::sample_with_kv_cache(gpt, 4, &g2); });
    const double course = seconds([&] { return gpt.sample(4, &g1); });
    std::printf("imagegpt sample(4): sample() %.2f s, key-value cache %.3f s (%.0fx)\n", course, cached,
                course / cached);
  }
  return 0;
}
