// The toy GANs of seminar 6 and lecture 6 (models/gan/mlp_gan.h): the 1-D mixture and the 8-Gaussians ring.
//
//   gan-1d, nsgan-1d      1-D mixture 0.7 N(-3,1) + 0.3 N(3,1), noise U[-0.5, 0.5], MLPs [1,64,64,64,1],
//                         lr_D 1e-3, lr_G 2e-4, Adam betas (0.5, 0.999) (seminar 6, 2024 edition)
//   gan-ring, nsgan-ring  the ring; MLPGenerator 16 -> [32,128,128,32] -> 2, MLPDiscriminator
//                         2 -> [64,256,256,64] -> 1, batch 1024, Adam lr 2e-4 betas (0, 0.9) (seminar 6)
//   gan-ring-c5, nsgan-ring-c5   the same with 5 discriminator steps per generator step (seminar 6's 5 vs 1)
//   wgan-ring             weight clipping c = 0.01, RMSprop lr 5e-5 (Arjovsky et al.), 5 critic steps
//   wgan-gp-ring          gradient penalty lambda 10, Adam (0, 0.9), 5 critic steps (Gulrajani et al.)
//   wgan-gp-ring-c1       the same with 1 critic step per generator step (seminar 6's 5 vs 1)
//   fgan-kl-ring, fgan-pearson-ring   f-GAN with the KL / Pearson chi^2 conjugates
//   sngan-ring            spectrally normalized critic, hinge loss
//   sngan-mnist           an image SN-GAN (models/gan/sn_dcgan.h) on MNIST resized to 32x32, in [-1, 1]
#include "models/gan/mlp_gan.h"
#include "models/gan/sn_dcgan.h"
#include "models/gan/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::gan {

namespace {

train::OptimizerSpec adam(double lr, double beta1, double beta2) {
  train::OptimizerSpec o;
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  return o;
}

train::OptimizerSpec rmsprop(double lr) {
  train::OptimizerSpec o;
  o.kind = "rmsprop";
  o.lr = lr;
  return o;
}

TrainSettings gan_settings(int64_t epochs, int64_t batch_size, const train::OptimizerSpec& generator,
                           const train::OptimizerSpec& critic, const std::string& expected_time) {
  TrainSettings t;
  t.epochs = epochs;
  t.batch_size = batch_size;
  t.optimizers = {{"generator", generator}, {"critic", critic}};
  t.loss_key = "critic_loss";
  t.samples = 2000;
  t.expected_time = expected_time;
  return t;
}

const char* kNotMeasured = "not measured (no GPU run yet)";

void add_1d(Registry& r, const std::string& name, const std::string& loss, const std::string& quick_time) {
  ModelSpec s;
  s.name = name;
  s.family = "gan";
  s.course = "seminar 6, lecture 6";
  s.description = std::string(loss == "gan" ? "saturating (minimax)" : "non-saturating (softplus)") +
                  " GAN on the 1-D mixture: noise U[-0.5, 0.5], generator and discriminator MLPs [1,64,64,64,1]";
  s.loss_unit = "critic_loss: the discriminator's BCE, nats per point (log 4 = 1.386 at D = 1/2)";
  s.datasets = {"mixture1d"};
  const train::OptimizerSpec g = adam(2e-4, 0.5, 0.999), d = adam(1e-3, 0.5, 0.999);
  s.presets = {{"quick", gan_settings(100, 128, g, d, quick_time)},
               {"course", gan_settings(100, 128, g, d, kNotMeasured)}};
  s.make = [loss](const MakeContext&) {
    MLPGANConfig c;
    c.loss = loss;
    c.data_dim = 1;
    c.noise_dim = 1;
    c.noise = "uniform";
    c.generator_hidden = {64, 64, 64};
    c.critic_hidden = {64, 64, 64};
    return std::make_shared<MLPGAN>(c);
  };
  r.add(std::move(s));
}

struct RingModel {
  std::string name, loss, description;
  int64_t n_critic = 1;
  bool spectral_norm = false;
  // course: seminar 6's batch 1024, 100 epochs; quick: batch 256 (4x the steps per epoch on 2 CPU cores), 64 for
  // the 5-critic-step WGANs (their generator steps once per 5 batches)
  train::OptimizerSpec generator, critic, quick_generator, quick_critic;
  int64_t quick_epochs = 15;
  std::string quick_time;
  int64_t quick_batch = 256;
};

void add_ring(Registry& r, const RingModel& m) {
  ModelSpec s;
  s.name = m.name;
  s.family = "gan";
  s.course = "seminar 6, lecture 6";
  s.description = m.description + " on the 8-Gaussians ring: generator 16 -> [32,128,128,32] -> 2, critic " +
                  "2 -> [64,256,256,64] -> 1";
  s.loss_unit = "critic_loss (" + m.loss + "); test 'modes' (modes hit of 8) and 'high_quality' (share of 2048 " +
                "samples within 3 sigma of a mode)";
  s.datasets = {"8gaussians"};
  s.presets = {{"quick", gan_settings(m.quick_epochs, m.quick_batch, m.quick_generator, m.quick_critic, m.quick_time)},
               {"course", gan_settings(100, 1024, m.generator, m.critic, kNotMeasured)}};
  s.make = [m](const MakeContext&) {
    MLPGANConfig c;
    c.loss = m.loss;
    c.n_critic = m.n_critic;
    c.spectral_norm = m.spectral_norm;
    c.ring_metrics = true;
    return std::make_shared<MLPGAN>(c);
  };
  r.add(std::move(s));
}

void add_sngan_mnist(Registry& r) {
  ModelSpec s;
  s.name = "sngan-mnist";
  s.family = "gan";
  s.course = "lecture 6 (spectral normalization)";
  s.description = "SN-GAN: DCGAN-style generator, spectrally normalized conv critic, hinge loss, 32x32 MNIST";
  s.loss_unit = "critic_loss: the hinge loss (2 at a critic that outputs 0)";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "resize_bilinear to 32x32 (rounded to bytes), then x * 2 / 255 - 1 in [-1, 1]";
  s.prepare = [](const Tensor& images) { return nn::data::scale_pm1(nn::data::resize_bilinear(images, 32, 32, true)); };
  // Miyato et al. 2018's hinge setting: Adam lr 2e-4, betas (0.5, 0.999), one critic step
  const train::OptimizerSpec a = adam(2e-4, 0.5, 0.999);
  TrainSettings quick = gan_settings(3, 64, a, a, "not measured yet");
  quick.limit = 10000;
  quick.test_limit = 1000;
  quick.samples = 64;
  TrainSettings course = gan_settings(20, 64, a, a, kNotMeasured);
  course.samples = 64;
  s.presets = {{"quick", quick}, {"course", course}};
  // quick: width 16; course: width 64; z 64
  s.make = [](const MakeContext& c) { return std::make_shared<SNDCGAN>(1, c.preset == "quick" ? 16 : 64, 64); };
  r.add(std::move(s));
}

}  // namespace

void register_toy_models(Registry& r) {
  add_1d(r, "gan-1d", "gan", "not measured yet");
  add_1d(r, "nsgan-1d", "nsgan", "not measured yet");
  // seminar 6: Adam lr 2e-4 betas (0, 0.9); the quick presets take 5e-4 for their fewer steps
  const train::OptimizerSpec a = adam(2e-4, 0.0, 0.9), qa = adam(5e-4, 0.0, 0.9);
  add_ring(r, {"gan-ring", "gan", "saturating (minimax) GAN", 1, false, a, a, qa, qa, 15, "not measured yet"});
  add_ring(r, {"nsgan-ring", "nsgan", "non-saturating GAN (softplus losses)", 1, false, a, a, qa, qa, 15,
               "not measured yet"});
  // seminar 6: 5 discriminator steps per generator step let D win early, where the saturating loss vanishes
  add_ring(r, {"gan-ring-c5", "gan", "saturating (minimax) GAN, 5 discriminator steps", 5, false, a, a, qa, qa, 15,
               "not measured yet"});
  add_ring(r, {"nsgan-ring-c5", "nsgan", "non-saturating GAN, 5 discriminator steps", 5, false, a, a, qa, qa, 15,
               "not measured yet"});
  add_ring(r, {"wgan-ring", "wgan", "WGAN with weight clipping c = 0.01 (RMSprop), 5 critic steps", 5, false,
               rmsprop(5e-5), rmsprop(5e-5), rmsprop(5e-4), rmsprop(5e-4), 20, "not measured yet", 64});
  add_ring(r, {"wgan-gp-ring", "wgan-gp", "WGAN-GP (lambda 10 on interpolates), 5 critic steps", 5, false, a, a, qa, qa,
               20, "not measured yet", 64});
  // seminar 6 compares 5 critic steps per generator step with 1
  add_ring(r, {"wgan-gp-ring-c1", "wgan-gp", "WGAN-GP (lambda 10 on interpolates), 1 critic step", 1, false, a, a, qa,
               qa, 10, "not measured yet"});
  add_ring(r, {"fgan-kl-ring", "fgan-kl", "f-GAN, KL divergence (f*(t) = exp(t - 1))", 1, false, a, a, qa, qa, 15,
               "not measured yet"});
  add_ring(r, {"fgan-pearson-ring", "fgan-pearson", "f-GAN, Pearson chi^2 (f*(t) = t^2/4 + t)", 1, false, a, a, qa, qa,
               15, "not measured yet"});
  add_ring(r, {"sngan-ring", "hinge", "SN-GAN: spectrally normalized critic, hinge loss", 1, true, a, a, qa, qa, 15,
               "not measured yet"});
  add_sngan_mnist(r);
}

}  // namespace dgm::models::gan
