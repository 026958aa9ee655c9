// Seminar 5's fully connected VAEs (models/vae/mlp_vae.h): the 2-D Gaussians, binarized MNIST with a 2-D
// latent, beta-VAE, posterior collapse, and IWAE training.
#include "models/train/presets.h"
#include "models/vae/mlp_vae.h"
#include "models/vae/specs.h"
#include "nn/data/transforms.h"

namespace dgm::models::vae {

namespace {

using Options = MlpVAEOptions;

TrainSettings keyed(TrainSettings t, const std::string& key, const std::string& expected_time) {
  t.loss_key = key;
  t.expected_time = expected_time;
  return t;
}

// COURSE.md seminar 5: encoder/decoder [128,128], latent 2, Gaussian decoder with a learned log sigma,
// BATCH=128, EPOCHS=10, LR=1e-3. The data are small: quick is the course's setting. Rotated and aligned use one
// learned log sigma (then pPCA says one latent carries the long axis: KL = ln(9)/2 = 1.10 nats); the collapse
// demo lets the decoder output log sigma per dimension (Sigma::kNet).
ModelSpec toy_spec(const std::string& name, const std::string& dataset, Options::Sigma sigma,
                   const std::string& description, const std::string& measured) {
  ModelSpec s;
  s.name = name;
  s.family = "vae";
  s.course = "seminar 5 (lecture 4)";
  s.description = description;
  s.loss_unit = "elbo_loss: negative ELBO, nats per point (true NLL of the data: 3.94)";
  s.datasets = {dataset};
  s.transform = "none (points as generated)";
  TrainSettings t = train::settings(10, 128, 1e-3);
  s.presets = {{"quick", keyed(t, "elbo_loss", measured)},
               {"course", keyed(t, "elbo_loss", "not measured (no GPU run yet)")}};
  s.make = [sigma](const MakeContext&) {
    Options o;
    o.sigma = sigma;
    o.kl_per_dim = true;
    return std::make_shared<MlpVAE>(o);
  };
  return s;
}

// COURSE.md seminar 5's MNIST VAE: latent 2, encoder [128,64,32], decoder [32,64,128], Bernoulli (BCE on the
// sigmoid output), EPOCHS=20, LR=3e-3 (batch 128 chosen here). The spec is `conditional` only so that batches
// keep MNIST's labels for latent.png; the model ignores them.
// One MNIST variant of the table in register_mlp_vae_models.
struct MnistVariant {
  std::string name, course, description, loss_unit;
  double beta;
  Options::Objective objective;
  std::string key, measured;
};

ModelSpec mnist_spec(const MnistVariant& v) {
  ModelSpec s;
  s.name = v.name;
  s.family = "vae";
  s.course = v.course;
  s.description = v.description;
  s.loss_unit = v.loss_unit;
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  s.conditional = true;
  TrainSettings quick = train::settings(5, 128, 3e-3);
  TrainSettings course = train::settings(20, 128, 3e-3);
  s.presets = {{"quick", keyed(quick, v.key, v.measured)},
               {"course", keyed(course, v.key, "not measured (no GPU run yet)")}};
  s.make = [beta = v.beta, objective = v.objective](const MakeContext&) {
    Options o;
    o.input_shape = {1, 28, 28};
    o.latent_dim = 2;
    o.encoder_hidden = {128, 64, 32};
    o.decoder_hidden = {32, 64, 128};
    o.likelihood = Options::Likelihood::kBernoulli;
    o.beta = beta;
    o.objective = objective;
    o.iwae_k = 5;
    o.kl_per_dim = true;
    return std::make_shared<MlpVAE>(o);
  };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  return s;
}

}  // namespace

void register_mlp_vae_models(Registry& r) {
  r.add(toy_spec(
      "vae-2d-rotated", "gaussian-rotated", Options::Sigma::kScalar,
      "MLP VAE on N([2,3], diag(9,1)) rotated by 45 degrees, latent 2, Gaussian decoder, one learned sigma",
      "test elbo_loss 3.976 (true NLL 3.937), kl_dim1 1.11 (pPCA: ln 9 / 2 = 1.10); 2.7 s wall, 1.4 s CPU on 2 "
      "shared cores (measured 2026-12-03, beside other runs)"));
  r.add(toy_spec("vae-2d-aligned", "gaussian-aligned", Options::Sigma::kScalar,
                 "MLP VAE on the axis-aligned N([2,3], diag(9,1)), latent 2, Gaussian decoder, one learned sigma",
                 "test elbo_loss 3.983, kl_dim1 1.07; 1.3 s wall, 1.0 s CPU on 2 shared cores (measured 2026-12-03)"));
  r.add(toy_spec("vae-2d-collapse", "gaussian-aligned", Options::Sigma::kNet,
                 "posterior collapse: axis-aligned data; the decoder outputs its own mean and log sigma per dimension "
                 "(seminar 5's), so it can model the data alone and KL(q(z|x) || p(z)) -> 0 (kl_dim0, kl_dim1)",
                 "test elbo_loss 3.953, kl_dim0 0.003, kl_dim1 0.013 (collapsed); 2.7 s wall, 1.3 s CPU on 2 shared "
                 "cores (measured 2026-12-03)"));
  const std::vector<MnistVariant> mnist = {
      {"vae-mnist-2d", "seminar 5 (lecture 4)",
       "MLP VAE on binarized MNIST, latent 2, Bernoulli decoder; latent.png, latent_grid.png",
       "elbo_loss: negative ELBO, nats per image", 1.0, Options::Objective::kElbo, "elbo_loss",
       "test elbo_loss 149.3, KL 5.9; 3.9 min wall, 85 s CPU on 2 cores shared with 5 other runs "
       "(measured 2026-12-03)"},
      {"beta-vae-0", "seminar 5 (beta-VAE, beta = 0)",
       "vae-mnist-2d with beta = 0: an autoencoder with noise; KL grows, prior samples degrade",
       "elbo_loss: recon + 0 KL; neg_elbo: the negative ELBO, nats per image", 0.0, Options::Objective::kElbo,
       "elbo_loss",
       "test recon 137.6, KL 114.7, neg_elbo 252.4; 9.1 min wall, 81 s CPU on 2 cores shared with 5 "
       "other runs (measured 2026-12-03)"},
      {"beta-vae-4", "seminar 5 (beta-VAE, beta > 1; lecture 4)",
       "vae-mnist-2d with beta = 4: a smaller KL, blurrier reconstructions and samples",
       "elbo_loss: recon + 4 KL; neg_elbo: the negative ELBO, nats per image", 4.0, Options::Objective::kElbo,
       "elbo_loss",
       "test recon 149.8, KL 3.8, neg_elbo 153.6; 10.5 min wall, 85 s CPU on 2 cores shared with 5 "
       "other runs (measured 2026-12-03)"},
      {"iwae-mnist", "lecture 4 (IWAE), homework 2 theory problem 1",
       "vae-mnist-2d's network trained on the IWAE bound -L_5 (K = 5 samples per image)",
       "iwae_loss: -L_5, nats per image; elbo_loss: the negative ELBO from the same draws", 1.0,
       Options::Objective::kIwae, "iwae_loss",
       "test iwae_loss 140.5, elbo_loss 149.7; 5.6 min wall, 193 s CPU on 2 cores shared with 5 other "
       "runs (measured 2026-12-03)"},
  };
  for (const MnistVariant& v : mnist) r.add(mnist_spec(v));
}

}  // namespace dgm::models::vae
