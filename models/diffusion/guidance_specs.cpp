#include <algorithm>

#include "models/diffusion/classifier_guided_ddpm.h"
#include "models/diffusion/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::diffusion {

namespace {

// The parent's data: 28x28 MNIST resized to 32x32, then 2x/255 - 1 in [-1, 1] (the course's DDPM input).
Tensor prepare_pm1_32(const Tensor& images) {
  const Tensor x = images.size(2) == 32 ? images : nn::data::resize_bilinear(images, 32, 32, true);
  return nn::data::scale_pm1(x);
}

void register_mnist_classifier(Registry& r) {
  ModelSpec s;
  s.name = "ddpm-mnist-classifier";
  s.family = "diffusion";
  s.course = "lecture 10 (classifier guidance), on homework 5 task 3's DDPM";
  s.description =
      "classifier guidance: a conv classifier p(y | x_t, t) of noisy 32x32 MNIST (timestep embedding) trained on "
      "the forward diffusion of a trained ddpm-mnist (second stage: --from runs/ddpm-mnist); samples steer the "
      "parent's sampler with eps - gamma sqrt(1 - abar_t) grad log p(y | x_t, t), gamma = --guidance";
  s.loss_unit = "cross-entropy of the noisy classifier, nats per image (accuracy logged)";
  s.datasets = {"mnist"};
  s.transform = "the parent's: resize_bilinear to 32x32, then x * 2 / 255 - 1 in [-1, 1]; labels kept";
  s.conditional = true;
  s.from = "ddpm-mnist";
  s.prepare = prepare_pm1_32;
  // the split itself, with its labels: the classifier noises x itself at a fresh t every step
  s.stage_data = [](GenerativeModel&, const Batch& split) { return split; };
  // quick: 2 CPU cores, about half of the training set, pictures by 50-step DDIM
  TrainSettings quick = train::settings(2, 64, 1e-3);
  quick.limit = 32000;
  quick.test_limit = 1000;
  quick.samples = 20;
  quick.expected_time =
      "41 s wall, 73 s CPU (2026-12-05, measured, 2 threads, from the quick ddpm-mnist): test CE 1.362, "
      "accuracy 0.537 on x_t at t ~ U{0..999}; guided samples follow the parent (blobs at the quick preset)";
  // course: AdamW 3e-4, weight decay 0.05 (Dhariwal & Nichol's classifier), the whole set; DDPM pictures
  TrainSettings course = train::settings(10, 128, 3e-4);
  course.optimizers["model"].kind = "adamw";
  course.optimizers["model"].weight_decay = 0.05;
  course.samples = 100;
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    auto parent = std::dynamic_pointer_cast<DiffusionModel>(c.parent);
    DGM_CHECK(parent, "ddpm-mnist-classifier: needs a trained diffusion model as its parent (--from runs/ddpm-mnist)",
              c.parent ? ", got a run of " + c.parent->name() : std::string());
    const bool quick_size = c.preset == "quick";
    const int64_t steps = quick_size ? std::min<int64_t>(50, parent->reverse_diffusion().num_timesteps) : 0;
    return std::make_shared<ClassifierGuidedDDPM>(parent, quick_size ? 16 : 64, 10, steps, 3.0);
  };
  r.add(std::move(s));
}

}  // namespace

void register_guidance_models(Registry& r) { register_mnist_classifier(r); }

}  // namespace dgm::models::diffusion
