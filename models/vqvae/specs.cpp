#include "models/vqvae/specs.h"

#include "autograd/grad_mode.h"
#include "models/train/presets.h"
#include "models/vqvae/code_prior.h"
#include "models/vqvae/vqvae.h"
#include "nn/data/transforms.h"

namespace dgm::models::vqvae {

namespace {

// The course's VQ-VAE: K = 128 codes of D = 16, beta = 0.25, 7x7 codes of a 28x28 image.
constexpr int64_t kCodes = 128, kCodeDim = 16;

void register_vqvae(Registry& r) {
  ModelSpec s;
  s.name = "vqvae";
  s.family = "vqvae";
  s.course = "homework 3 task 2, lecture 5";
  s.description = "VQ-VAE: 7x7 codes of K = 128 vectors in R^16, 2-class pixel logits, uniform prior";
  s.loss_unit = "total_loss: pixel cross-entropy (nats per pixel) + VQ loss";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128";
  TrainSettings quick = train::settings(3, 128, 2e-3);
  quick.loss_key = "total_loss";
  quick.samples = 100;
  quick.expected_time =
      "20 min wall beside other runs, 269 s CPU (2026-12-03, measured): test CE 0.0541 nats/pixel "
      "(42.4 nats/image), pixel error 2.2%, perplexity 95.5 of 128 codes";
  // The homework leaves BATCH_SIZE, EPOCHS, LR and CE_SCALE to the student; these are ours, for a GPU.
  TrainSettings course = train::settings(20, 128, 1e-3);
  course.loss_key = "total_loss";
  course.samples = 100;
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext&) { return std::make_shared<VQVAEModel>(1.0, kCodeDim, kCodes); };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  r.add(std::move(s));
}

void register_prior(Registry& r) {
  ModelSpec s;
  s.name = "vqvae-prior";
  s.family = "vqvae";
  s.course = "homework 3 task 2 (the PixelCNN prior), lecture 5";
  s.description = "PixelCNN prior over the 7x7 code maps of a trained vqvae (second stage: --from runs/vqvae)";
  s.loss_unit = "cross-entropy of the codes, nats per code";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "binarize: x > 128, then the parent's code map (1,7,7)";
  s.from = "vqvae";
  TrainSettings quick = train::settings(3, 128, 2e-3);
  quick.samples = 100;
  quick.expected_time =
      "6.6 min wall beside other runs, 336 s CPU (2026-12-03, measured, on the quick vqvae's codes): "
      "test CE 1.948 nats per code (95.4 nats per image); samples: digit-like strokes, some digits";
  TrainSettings course = train::settings(20, 128, 1e-3);
  course.samples = 100;
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& context) {
    auto parent = std::dynamic_pointer_cast<VQVAEModel>(context.parent);
    DGM_CHECK(parent, "vqvae-prior: needs a trained vqvae as its parent (--from runs/vqvae)");
    auto prior = std::make_shared<PixelCNN>(parent->num_embeddings, parent->latent_size, 32, 5, 5);
    prior->parent = parent;
    return prior;
  };
  s.prepare = [](const Tensor& images) { return nn::data::binarize(images); };
  // each image -> its code map (1,7,7), the indices stored as float
  s.stage_data = [](GenerativeModel& parent, const Batch& split) {
    NoGradGuard no_grad;
    return Batch(dynamic_cast<VQVAEModel&>(parent).get_indices(split.x).unsqueeze(1).to(kFloat32));
  };
  r.add(std::move(s));
}

}  // namespace

void register_models(Registry& r) {
  r.add_family({"vqvae", "vector-quantized VAE and its code prior", "lecture 5, homework 3"});
  register_vqvae(r);
  register_prior(r);
}

}  // namespace dgm::models::vqvae
