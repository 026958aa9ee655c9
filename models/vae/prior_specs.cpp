#include "models/train/presets.h"
#include "models/vae/dvae.h"
#include "models/vae/prior_vae.h"
#include "models/vae/specs.h"
#include "nn/data/transforms.h"

namespace dgm::models::vae {

namespace {

// One VAE architecture (MLP 784-512-256-16) with the prior `prior`; quick and course differ in epochs and,
// for the VampPrior, in the number of pseudo-inputs.
void add_prior_vae(Registry& r, const std::string& prior, const std::string& description,
                   const std::string& quick_time) {
  ModelSpec s;
  s.name = "vae-prior-" + prior;
  s.family = "vae";
  s.course = "lecture 5, supplementary deck";
  s.description = description;
  s.loss_unit = "negative ELBO, nats per image";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  TrainSettings quick = train::settings(5, 128, 1e-3);
  quick.loss_key = "elbo_loss";
  quick.expected_time = quick_time;
  // No course settings exist for learned priors: homework 2's VAE settings, longer.
  TrainSettings course = train::settings(50, 128, 1e-3);
  course.loss_key = "elbo_loss";
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [prior](const MakeContext& c) {
    PriorVAEOptions o;
    o.prior = prior;
    o.pseudo_inputs = c.preset == "course" ? 500 : 100;
    return std::make_shared<PriorVAE>(o);
  };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  r.add(std::move(s));
}

void add_dvae(Registry& r, bool hard, const std::string& quick_time) {
  ModelSpec s;
  s.name = hard ? "dvae-mnist-hard" : "dvae-mnist";
  s.family = "vae";
  s.course = "supplementary deck (Gumbel-softmax, dVAE)";
  s.description = hard ? "discrete VAE, 20 x 10 categorical latents, straight-through Gumbel-softmax"
                       : "discrete VAE, 20 x 10 categorical latents, Gumbel-softmax";
  s.loss_unit = "negative ELBO, nats per image (test: exact categorical draws)";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  TrainSettings quick = train::settings(5, 128, 1e-3);
  quick.expected_time = quick_time;
  TrainSettings course = train::settings(50, 128, 1e-3);
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [hard](const MakeContext&) {
    DiscreteVAEOptions o;
    o.hard = hard;
    return std::make_shared<DiscreteVAE>(o);
  };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  r.add(std::move(s));
}

}  // namespace

void register_prior_models(Registry& r) {
  add_prior_vae(r, "normal", "MLP VAE, 16-d Gaussian latent, N(0, I) prior (the baseline of the learned priors)",
                "test negative ELBO 93.54; 498 s wall, 148 s CPU on 2 cores beside other runs "
                "(measured 2026-12-03)");
  add_prior_vae(r, "flow", "MLP VAE, 16-d Gaussian latent, MAF prior (3 layers)",
                "test negative ELBO 90.85; 579 s wall, 160 s CPU on 2 cores beside other runs "
                "(measured 2026-12-03)");
  add_prior_vae(r, "vamp", "MLP VAE, 16-d Gaussian latent, VampPrior (100 pseudo-inputs; course: 500)",
                "test negative ELBO 91.68; 599 s wall, 247 s CPU on 2 cores beside other runs "
                "(measured 2026-12-03)");
  add_dvae(r, false,
           "test negative ELBO 122.58; 421 s wall, 178 s CPU on 2 cores beside other runs "
           "(measured 2026-12-03)");
  add_dvae(r, true,
           "test negative ELBO 126.38; 398 s wall, 211 s CPU on 2 cores beside other runs "
           "(measured 2026-12-03)");
}

}  // namespace dgm::models::vae
