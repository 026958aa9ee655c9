#include "models/vae/specs.h"

#include "models/train/presets.h"
#include "models/vae/conv_vae.h"
#include "nn/data/transforms.h"

namespace dgm::models::vae {

void register_models(Registry& r) {
  r.add_family({"vae", "latent-variable models: VAEs", "lectures 3-5, seminar 5, homework 2"});
  register_conv_vae_models(r);
  register_mlp_vae_models(r);
  register_prior_models(r);
  register_resnet_vae_models(r);
}

void register_conv_vae_models(Registry& r) {
  ModelSpec s;
  s.name = "vae";
  s.family = "vae";
  s.course = "homework 2";
  s.description = "convolutional VAE, 16-d Gaussian latent, Bernoulli likelihood";
  s.loss_unit = "negative ELBO, nats per image";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  TrainSettings quick = train::settings(5, 128, 1e-3);
  quick.expected_time = "78 s on 2 CPU cores, test negative ELBO 86.9 (measured)";
  TrainSettings course = train::settings(10, 128, 1e-3);
  course.expected_time = "1.4 ms per step on an H100 (measured); about 150 s on 2 CPU cores (estimated)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext&) { return std::make_shared<ConvVAE>(16); };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  r.add(std::move(s));
}

}  // namespace dgm::models::vae
