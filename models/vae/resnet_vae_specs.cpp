#include "models/train/presets.h"
#include "models/vae/resnet_vae.h"
#include "models/vae/specs.h"
#include "nn/data/transforms.h"

namespace dgm::models::vae {

namespace {

// The course trains with Adam on "elbo_loss" and leaves BATCH_SIZE, EPOCHS, LR, N_LATENTS and BETA to the
// student; the course presets below are the choices made here for a GPU.
TrainSettings elbo_settings(int64_t epochs, int64_t batch_size, double lr) {
  TrainSettings t = train::settings(epochs, batch_size, lr);
  t.loss_key = "elbo_loss";
  return t;
}

ModelSpec resnet_vae_spec(const std::string& name) {
  ModelSpec s;
  s.name = name;
  s.family = "vae";
  s.course = "homework 2 task 3 (lecture 4, seminar 5)";
  s.loss_unit =
      "elbo_loss = recon_loss + beta kl_loss (beta = 1: the negative ELBO), nats per image on data in [-1, 1] "
      "with a decoder N(mu, I)";
  s.transform = "x * 2 / 255 - 1 in [-1, 1] (the course's x * 2 - 1 of x in [0, 1])";
  s.prepare = [](const Tensor& images) { return nn::data::scale_pm1(images); };
  return s;
}

}  // namespace

void register_resnet_vae_models(Registry& r) {
  {
    ModelSpec s = resnet_vae_spec("resnet-vae");
    s.description =
        "ResNet VAE on 1x28x28 images: ResNetBlocks 28 -> 14 -> 7, Gaussian latent, decoder N(mu, I) of "
        "ResNetTransposeBlocks (the course's task is on CIFAR-10: resnet-vae-cifar10)";
    s.datasets = {"fashion-mnist", "mnist"};
    TrainSettings quick = elbo_settings(2, 128, 1e-3);
    quick.limit = 20000;
    quick.test_limit = 2000;
    quick.expected_time =
        "test elbo_loss 776.3 nats per image (720.5 of it the constant 784 log(2 pi) / 2 of N(mu, I)); 14.1 min "
        "wall beside other runs (load 16 on 2 cores), 137 s CPU (measured 2026-12-03); blurry clothes";
    TrainSettings course = elbo_settings(20, 128, 1e-3);
    course.expected_time = "not measured (no GPU run yet)";
    s.presets = {{"quick", quick}, {"course", course}};
    // quick: widths 16, 32 and 16 latents; course: 32, 64 and 32 latents, beta 1.
    s.make = [](const MakeContext& c) {
      const bool quick = c.preset == "quick";
      return std::make_shared<ConvResNetVAE>(std::vector<int64_t>{1, 28, 28}, quick ? 16 : 32, 1.0,
                                             quick ? std::vector<int64_t>{16, 32} : std::vector<int64_t>{32, 64});
    };
    r.add(std::move(s));
  }
  {
    ModelSpec s = resnet_vae_spec("resnet-vae-cifar10");
    s.description =
        "the course's ResNet VAE on CIFAR-10 (3x32x32): ResNetBlocks 32 -> 16 -> 8 -> 4, Gaussian latent, "
        "decoder N(mu, I) of ResNetTransposeBlocks";
    s.datasets = {"cifar10"};
    TrainSettings quick = elbo_settings(1, 128, 1e-3);
    quick.limit = 10000;
    quick.test_limit = 2000;
    quick.expected_time = "not measured (no CIFAR-10 files here)";
    TrainSettings course = elbo_settings(30, 128, 1e-3);
    course.expected_time = "not measured (no GPU run yet)";
    s.presets = {{"quick", quick}, {"course", course}};
    // quick: widths 16, 32, 64 and 32 latents; course: 64, 128, 256 and 128 latents, beta 1.
    s.make = [](const MakeContext& c) {
      const bool quick = c.preset == "quick";
      return std::make_shared<ConvResNetVAE>(
          std::vector<int64_t>{3, 32, 32}, quick ? 32 : 128, 1.0,
          quick ? std::vector<int64_t>{16, 32, 64} : std::vector<int64_t>{64, 128, 256});
    };
    r.add(std::move(s));
  }
}

}  // namespace dgm::models::vae
