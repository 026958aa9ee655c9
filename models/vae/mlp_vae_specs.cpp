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
// BATCH=128, EPOCHS=10, LR=1e-3. The data are small: quick is the course's setting.
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
ModelSpec mnist_spec(const std::string& name, double beta, Options::Objective objective, const std::string& key,
                     const std::string& measured) {
  ModelSpec s;
  s.name = name;
  s.family = "vae";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  s.conditional = true;
  TrainSettings quick = train::settings(5, 128, 3e-3);
  TrainSettings course = train::settings(20, 128, 3e-3);
  s.presets = {{"quick", keyed(quick, key, measured)}, {"course", keyed(course, key, "not measured (no GPU run yet)")}};
  s.make = [beta, objective](const MakeContext&) {
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
  r.add(toy_spec("vae-2d-rotated", "gaussian-rotated", Options::Sigma::kScalar,
                 "MLP VAE on N([2,3], diag(9,1)) rotated by 45 degrees, latent 2, Gaussian decoder, one learned sigma",
                 "not measured yet"));
  r.add(toy_spec("vae-2d-aligned", "gaussian-aligned", Options::Sigma::kScalar,
                 "MLP VAE on the axis-aligned N([2,3], diag(9,1)), latent 2, Gaussian decoder, one learned sigma",
                 "not measured yet"));
  r.add(toy_spec("vae-2d-collapse", "gaussian-aligned", Options::Sigma::kNet,
                 "posterior collapse: axis-aligned data, a per-dimension learned sigma lets the decoder model the "
                 "data alone, so KL(q(z|x) || p(z)) -> 0 in every latent dimension (kl_dim0, kl_dim1)",
                 "not measured yet"));
  {
    ModelSpec s = mnist_spec("vae-mnist-2d", 1.0, Options::Objective::kElbo, "elbo_loss", "not measured yet");
    s.course = "seminar 5 (lecture 4)";
    s.description = "MLP VAE on binarized MNIST, latent 2, Bernoulli decoder; latent.png, latent_grid.png";
    s.loss_unit = "elbo_loss: negative ELBO, nats per image";
    r.add(std::move(s));
  }
  {
    ModelSpec s = mnist_spec("beta-vae-0", 0.0, Options::Objective::kElbo, "elbo_loss", "not measured yet");
    s.course = "seminar 5 (beta-VAE, beta = 0)";
    s.description = "vae-mnist-2d with beta = 0: an autoencoder with noise; KL grows, prior samples degrade";
    s.loss_unit = "elbo_loss: recon + 0 KL; neg_elbo: the negative ELBO, nats per image";
    r.add(std::move(s));
  }
  {
    ModelSpec s = mnist_spec("beta-vae-4", 4.0, Options::Objective::kElbo, "elbo_loss", "not measured yet");
    s.course = "seminar 5 (beta-VAE, beta > 1; lecture 4)";
    s.description = "vae-mnist-2d with beta = 4: a smaller KL, blurrier reconstructions and samples";
    s.loss_unit = "elbo_loss: recon + 4 KL; neg_elbo: the negative ELBO, nats per image";
    r.add(std::move(s));
  }
  {
    ModelSpec s = mnist_spec("iwae-mnist", 1.0, Options::Objective::kIwae, "iwae_loss", "not measured yet");
    s.course = "lecture 4 (IWAE), homework 2 theory problem 1";
    s.description = "vae-mnist-2d's network trained on the IWAE bound -L_5 (K = 5 samples per image)";
    s.loss_unit = "iwae_loss: -L_5, nats per image; elbo_loss: the negative ELBO from the same draws";
    r.add(std::move(s));
  }
}

}  // namespace dgm::models::vae
