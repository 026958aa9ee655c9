// dgm_model_step: milliseconds per training step of two course-sized models,
// on the CPU or the GPU, for comparison with bench/model_step_torch.py (the
// same models in PyTorch eager).
//   build/bin/dgm_model_step [cpu|cuda] [steps]
// - vae: the conv VAE of `dgm train vae` (models/vae/conv_vae.h), batch 128 of
//   random binary 28x28 images, Adam 1e-3.
// - pixelcnn_stack: a PixelCNN-size conv stack (the course's homework 1):
//   MaskedConv2d A 1->64 7x7, then 5 x (MaskedConv2d B 64->64 7x7, ReLU), then
//   a 1x1 conv to 2 classes and cross-entropy against the input pixels;
//   batch 128 of 28x28, Adam 1e-3.
// Every step reads the loss back (.item()), as the trainer does to log it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "dgm.h"
#include "models/vae/conv_vae.h"

using namespace dgm;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median over `steps` timed steps (after 5 warm-up steps) of one training step, in ms.
double time_steps(int steps, const std::function<double()>& step) {
  for (int i = 0; i < 5; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    step();  // ends with .item(): the GPU is done when it returns
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return median(ms);
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
  if (dev == "cuda" && !cuda::is_available()) {
    std::printf("dgm_model_step: skipped, no GPU: %s\n", cuda::unavailable_reason().c_str());
    return 0;
  }
  const Device device = dev == "cuda" ? Device(kCUDA) : Device(kCPU);
  std::printf("dgm_model_step on %s\n", dev == "cuda" ? cuda::device_name().c_str() : "cpu");
  manual_seed(0);
  Tensor x = (rand({128, 1, 28, 28}) > 0.5).to(kFloat32).to(device);

  models::ConvVAE vae;
  vae.to(device);
  optim::Adam vae_opt(vae.parameters(), optim::AdamOptions(1e-3));
  double vae_ms = time_steps(steps, [&] {
    Tensor loss = vae.loss(x).at("loss");
    vae_opt.zero_grad();
    loss.backward();
    vae_opt.step();
    return loss.item<double>();
  });
  std::printf("vae             %8.3f ms/step\n", vae_ms);

  PixelCNNStack net;
  net.to(device);
  optim::Adam net_opt(net.parameters(), optim::AdamOptions(1e-3));
  Tensor target = x.to(kInt64).squeeze(1);  // (B, 28, 28) class per pixel
  double net_ms = time_steps(steps, [&] {
    Tensor loss = nn::functional::cross_entropy(net.forward(x), target);
    net_opt.zero_grad();
    loss.backward();
    net_opt.step();
    return loss.item<double>();
  });
  std::printf("pixelcnn_stack  %8.3f ms/step\n", net_ms);
  return 0;
}
