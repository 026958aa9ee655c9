#include "models/gan/specs.h"

#include "models/gan/wgan.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::gan {

namespace {

// The homework's networks: ConvGenerator(input_size = 128, n_channels = 64), ConvCritic(64); n_critic = 5.
constexpr int64_t kInputSize = 128, kCourseChannels = 64, kCritic = 5;
// The quick presets' width (2 CPU cores).
constexpr int64_t kQuickChannels = 16;

// 28x28 gray images are resized to 32x32 first (the course's convention), then every set goes to [-1, 1], the
// range of the generator's tanh (the homework's notebook forgets this scaling for CIFAR-10).
Tensor prepare_pm1(const Tensor& images) {
  const Tensor x = images.size(2) == 32 ? images : nn::data::resize_bilinear(images, 32, 32, true);
  return nn::data::scale_pm1(x);
}

// "critic" and "generator": Adam(lr, betas (0, 0.9)), or RMSprop(lr) (the WGAN paper's, and seminar 6's table for
// clipping) when `rmsprop`.
TrainSettings wgan_settings(bool rmsprop, int64_t epochs, int64_t batch_size, double lr) {
  TrainSettings t;
  t.epochs = epochs;
  t.batch_size = batch_size;
  train::OptimizerSpec o;
  o.lr = lr;
  if (rmsprop) {
    o.kind = "rmsprop";
  } else {
    o.beta1 = 0.0;
    o.beta2 = 0.9;
  }
  t.optimizers = {{"critic", o}, {"generator", o}};
  t.loss_key = "critic_loss";
  t.samples = 100;
  return t;
}

void register_wgan(Registry& r, bool gp, bool cifar) {
  ModelSpec s;
  s.name = std::string(gp ? "wgan-gp" : "wgan") + (cifar ? "-cifar10" : "");
  s.family = "gan";
  s.course = gp ? "homework 3 task 3 (WGAN_GP), lecture 6, seminar 6" : "homework 3 task 3, lecture 6, seminar 6";
  const std::string what = gp ? "WGAN-GP: gradient penalty 10 on interpolates"
                              : "WGAN: critic weights clipped to [-0.01, 0.01] (quick: RMSprop)";
  s.description = what + "; ResNet ConvGenerator and ConvCritic on " + (cifar ? "3x32x32" : "1x32x32") +
                  " images in [-1, 1], 5 critic steps per generator step";
  s.loss_unit = gp ? "critic_loss: E f(G(z)) - E f(x) + 10 gradient penalty" : "critic_loss: E f(G(z)) - E f(x)";
  s.datasets = cifar ? std::vector<std::string>{"cifar10"} : std::vector<std::string>{"mnist", "fashion-mnist"};
  s.transform = cifar ? "x * 2 / 255 - 1 in [-1, 1]" : "resize_bilinear to 32x32, then x * 2 / 255 - 1 in [-1, 1]";
  s.prepare = prepare_pm1;
  // quick: 2 CPU cores, a part of the set; RMSprop for clipping, Adam (0, 0.9) for the penalty (seminar 6).
  // course: the homework's Adam (0, 0.9) for both networks of both models; LR, BATCH_SIZE and EPOCHS are the
  // student's choice (these are ours), for a GPU.
  TrainSettings quick = wgan_settings(!gp, 2, 32, 5e-4);
  quick.limit = 25600;  // 800 critic steps and 160 generator steps per epoch
  quick.test_limit = 512;
  if (cifar)
    quick.expected_time = "not measured (no CIFAR-10 files here)";
  else if (gp)
    quick.expected_time =
        "31 min wall beside other runs (load 12-17 on 2 cores), 596 s CPU (2026-12-03, measured, MNIST): test "
        "critic_loss 1.02 (E f(fake) - E f(x) +0.44, penalty 0.58; train -1.99); samples: many recognizable digits";
  else
    quick.expected_time =
        "26 min wall beside other runs (load 12-17 on 2 cores), 420 s CPU (2026-12-03, measured, MNIST): test "
        "critic_loss 0.0001 (the clipped critic barely separates); samples: stroke fragments, few digits";
  TrainSettings course = wgan_settings(false, 100, 64, 2e-4);
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  const int64_t channels = cifar ? 3 : 1;
  s.make = [gp, channels](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    const int64_t width = c.preset == "quick" ? kQuickChannels : kCourseChannels;
    if (gp) return std::make_shared<WGAN_GP>(10.0, kInputSize, width, channels, kCritic);
    return std::make_shared<WGAN>(kInputSize, width, 0.01, channels, kCritic);
  };
  r.add(std::move(s));
}

}  // namespace

void register_wgan_models(Registry& r) {
  for (bool cifar : {false, true})
    for (bool gp : {false, true}) register_wgan(r, gp, cifar);
}

}  // namespace dgm::models::gan
