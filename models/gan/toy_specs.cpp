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
//
// What the quick runs show (measured() below). With one discriminator step per generator step the saturating and
// the non-saturating GAN both spread over the ring (8 and 6.9 modes hit): at these learning rates D never gets
// confident enough for log(1 - D(G(z))) to saturate. With 5 discriminator steps D wins early, and then lecture 6's
// ordering shows: the saturating generator's gradient vanishes (0 modes, critic_loss 5e-11: nothing moves), the
// non-saturating one still learns but collapses onto one mode (1 mode, 89 % of its samples within 3 sigma).
// WGAN with clipping piles the critic's weights at +-c (critic_weights.png). WGAN-GP with 5 critic steps learns
// slowly (2.6 modes in the quick budget, 1000 generator steps); with 1 critic step its critic stays nearly linear
// and the generator wanders off (0 modes). Both f-GANs, trained with the paper's generator objective -E g_f(v),
// collapse onto one mode; SN-GAN covers the ring (7.9 modes).
#include <map>
#include <string>

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

// What the quick presets gave (2026-12-03, 2 CPU cores beside other runs: load 12-17, --threads 1 for the ring
// models); "modes" and "high_quality" are means over the test batches of 2048 fresh samples each.
std::string measured(const std::string& name) {
  static const std::map<std::string, std::string> times{
      {"gan-1d", "test right_share 0.29 (data 0.30), critic_loss 1.380 (log 4 = 1.386); 3.0 min wall, 17 s CPU"},
      {"nsgan-1d", "test right_share 0.28 (data 0.30), critic_loss 1.388; 1.2 min wall, 15 s CPU"},
      {"gan-ring", "test modes 8 of 8, high_quality 0.34; 2.6 min wall, 29 s CPU"},
      {"nsgan-ring", "test modes 6.9 of 8, high_quality 0.20; 4.9 min wall, 29 s CPU"},
      {"gan-ring-c5",
       "test modes 0, high_quality 0 (D wins: critic_loss 5e-11, G's gradient vanishes); 8.6 min wall, 26 s CPU"},
      {"nsgan-ring-c5", "test modes 1, high_quality 0.89 (collapse onto one mode); 3.8 min wall, 25 s CPU"},
      {"wgan-ring", "test modes 3.5 of 8, high_quality 0.08, weights piled at +-c; 12.7 min wall, 43 s CPU"},
      {"wgan-gp-ring", "test modes 2.6 of 8, high_quality 0.04 (not converged); 13.4 min wall, 49 s CPU"},
      {"wgan-gp-ring-c1", "test modes 0, high_quality 0 (an untrained critic: G wanders); 6.2 min wall, 22 s CPU"},
      {"fgan-kl-ring", "test modes 1, high_quality 0.28 (one mode); 8.2 min wall, 27 s CPU"},
      {"fgan-pearson-ring", "test modes 1, high_quality 0.32 (one mode); 8.3 min wall, 29 s CPU"},
      {"sngan-ring", "test modes 7.9 of 8, high_quality 0.17; 7.3 min wall, 29 s CPU"},
  };
  return times.at(name) + " (measured 2026-12-03, beside other runs)";
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
  TrainSettings quick = gan_settings(5, 64, a, a,
                                     "test critic_loss 2.00, generator_loss -0.43; 7.4 min wall, 114 s CPU (--threads "
                                     "1, measured 2026-12-03, beside other runs); digit-like strokes, some legible");
  quick.limit = 20000;
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
  add_1d(r, "gan-1d", "gan", measured("gan-1d"));
  add_1d(r, "nsgan-1d", "nsgan", measured("nsgan-1d"));
  // seminar 6: Adam lr 2e-4 betas (0, 0.9); the quick presets take 5e-4 for their fewer steps
  const train::OptimizerSpec a = adam(2e-4, 0.0, 0.9), qa = adam(5e-4, 0.0, 0.9);
  add_ring(r, {"gan-ring", "gan", "saturating (minimax) GAN", 1, false, a, a, qa, qa, 15, measured("gan-ring")});
  add_ring(r, {"nsgan-ring", "nsgan", "non-saturating GAN (softplus losses)", 1, false, a, a, qa, qa, 15,
               measured("nsgan-ring")});
  // seminar 6: 5 discriminator steps per generator step let D win early, where the saturating loss vanishes
  add_ring(r, {"gan-ring-c5", "gan", "saturating (minimax) GAN, 5 discriminator steps", 5, false, a, a, qa, qa, 15,
               measured("gan-ring-c5")});
  add_ring(r, {"nsgan-ring-c5", "nsgan", "non-saturating GAN, 5 discriminator steps", 5, false, a, a, qa, qa, 15,
               measured("nsgan-ring-c5")});
  add_ring(r, {"wgan-ring", "wgan", "WGAN with weight clipping c = 0.01 (RMSprop), 5 critic steps", 5, false,
               rmsprop(5e-5), rmsprop(5e-5), rmsprop(5e-4), rmsprop(5e-4), 20, measured("wgan-ring"), 64});
  add_ring(r, {"wgan-gp-ring", "wgan-gp", "WGAN-GP (lambda 10 on interpolates), 5 critic steps", 5, false, a, a, qa, qa,
               20, measured("wgan-gp-ring"), 64});
  // seminar 6 compares 5 critic steps per generator step with 1
  add_ring(r, {"wgan-gp-ring-c1", "wgan-gp", "WGAN-GP (lambda 10 on interpolates), 1 critic step", 1, false, a, a, qa,
               qa, 10, measured("wgan-gp-ring-c1")});
  add_ring(r, {"fgan-kl-ring", "fgan-kl", "f-GAN, KL divergence (f*(t) = exp(t - 1))", 1, false, a, a, qa, qa, 15,
               measured("fgan-kl-ring")});
  add_ring(r, {"fgan-pearson-ring", "fgan-pearson", "f-GAN, Pearson chi^2 (f*(t) = t^2/4 + t)", 1, false, a, a, qa, qa,
               15, measured("fgan-pearson-ring")});
  add_ring(r, {"sngan-ring", "hinge", "SN-GAN: spectrally normalized critic, hinge loss", 1, true, a, a, qa, qa, 15,
               measured("sngan-ring")});
  add_sngan_mnist(r);
}

}  // namespace dgm::models::gan
