// dgm_model_step: milliseconds per training step of two course-sized models,
// on the CPU or the GPU, for comparison with bench/model_step_torch.py (the
// same models in PyTorch eager).
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
//   (hidden 32, multipliers [1, 2], attention from level 1, dropout 0.1, T = 1000), batch 32 of 1x32x32 images in
//   [0, 1] with labels, fresh t and noise per step (the twin of bench/twins/unet_ddpm_twin.py), Adam 1e-3.
// - cfm_mnist (only when named): homework 6's flow matching UNet as `dgm train cfm-mnist --preset quick` builds it
//   (continuous time, hidden 32, multipliers [1, 2], 1 block, attention from level 1, dropout 0.1), batch 32 of
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
#include "models/diffusion/conditional_ddpm.h"
#include "models/flow_matching/flow_matching.h"
#include "models/gan/wgan.h"
#include "models/registry.h"
#include "models/vae/conv_vae.h"

using namespace dgm;

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

// Median over `steps` timed steps (after 5 warm-up steps) of one training step, in ms of wall time. Also printed
// first, on a line of its own: the median CPU time of a step (all threads) and the load average, since on a shared
// machine the wall time follows the other processes (compare CPU times at 1 thread, DGM_NUM_THREADS=1).
double time_steps(int steps, const std::function<double()>& step) {
  for (int i = 0; i < 5; ++i) step();
  std::vector<double> ms, cpu_ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_ms();
    step();  // ends with .item(): the GPU is done when it returns
    cpu_ms.push_back(process_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  std::printf("  (cpu time %.3f ms/step, load average %.2f)\n", median(cpu_ms), load);
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

}  // namespace

int main(int argc, char** argv) {
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
    auto unet = std::make_shared<models::diffusion::UNet>(1000, 10, 32, std::vector<int64_t>{1, 2}, 1, 0.1, 1);
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
