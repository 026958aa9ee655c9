#include "autograd/grad_mode.h"
#include "models/diffusion/conditional_ddpm.h"
#include "models/diffusion/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::diffusion {

namespace {

// The UNet of a preset: the course's notebook leaves HIDDEN_CHANNELS, CHANNEL_MULTIPLIERS, NUM_BLOCKS and T to the
// student; `course` is ours for a GPU (hidden 64, [1, 2, 2], T = 1000), `quick` the narrowest that GroupNorm(32)
// allows on 2 CPU cores (hidden 32, [1, 2, 2]: the third level, at 8x8, costs little and widens the receptive field;
// the middle blocks move from 16x16 to 8x8), with 8 groups in the tail's GroupNorm (below).
struct UNetSize {
  int64_t hidden;
  std::vector<int64_t> multipliers;
  int64_t num_blocks, T;
  double dropout;
  int64_t attn_from_level;
  int64_t tail_norm_groups;
};

constexpr int64_t kQuickAttnFrom = 1;
// The quick UNet's last GroupNorm has 8 groups of 4 channels (the course's 32 groups hold 4 channels at its test
// width, hidden 128); 32 groups at hidden 32 hold one channel each and remove the mean that eps must follow at high
// t (unet.h, tail_norm_groups). Measured on the quick run (1250 steps, bench/ddpm_dc_diagnosis.py, n 128):
// d mean(eps) / d mean(x_t) 0.08 against 0.01, samples too bright 52% against 66%, test loss 0.0321 against 0.0336.
constexpr int64_t kQuickTailGroups = 8;

UNetSize unet_size(const std::string& preset) {
  if (preset == "quick") return {32, {1, 2, 2}, 1, 1000, 0.1, kQuickAttnFrom, kQuickTailGroups};
  return {64, {1, 2, 2}, 1, 1000, 0.1, 0, 32};
}

// Sampler steps of the pictures and of `dgm sample` without --steps: DDIM (eta 0) with 50 steps for quick on CPU,
// the full ancestral DDPM for course.
int64_t default_steps(const std::string& preset) { return preset == "quick" ? 50 : 0; }

// 28x28 MNIST is resized to 32x32 (the course's hw5 data), then scaled to [0, 1]; the model maps it to [-1, 1].
Tensor prepare_01(const Tensor& images) {
  const Tensor x = images.size(2) == 32 ? images : nn::data::resize_bilinear(images, 32, 32, true);
  return nn::data::scale_01(x);
}

// AdamW(lr, weight decay 1e-4) with StepLR(100, 0.9) per epoch (the notebook's scheduler.step() per epoch).
TrainSettings ddpm_settings(int64_t epochs, int64_t batch_size, double lr) {
  TrainSettings t = train::settings(epochs, batch_size, lr);
  train::OptimizerSpec& o = t.optimizers.at("model");
  o.kind = "adamw";
  o.weight_decay = 1e-4;
  o.schedule.kind = "step";
  o.schedule.step_size = 100;
  o.schedule.gamma = 0.9;
  o.schedule.unit = "epoch";
  t.samples = 100;
  return t;
}

std::shared_ptr<ConditionalDDPM> make_ddpm(const std::string& preset, int64_t num_labels) {
  const UNetSize u = unet_size(preset);
  auto unet = std::make_shared<UNet>(u.T, num_labels, u.hidden, u.multipliers, u.num_blocks, u.dropout,
                                     u.attn_from_level, u.tail_norm_groups);
  auto ddpm = std::make_shared<ConditionalDDPM>(u.T, unet);
  ddpm->default_steps = default_steps(preset);
  return ddpm;
}

void register_ddpm_mnist(Registry& r) {
  ModelSpec s;
  s.name = "ddpm-mnist";
  s.family = "diffusion";
  s.course = "homework 5 task 3 (a), lecture 8";
  s.description =
      "unconditional DDPM on 32x32 MNIST: the course's UNet (attention on every down level; quick: not at 32x32), "
      "cosine schedule, T = 1000; samples by DDIM (50 steps) in the quick preset";
  s.loss_unit = "MSE of the predicted noise, per pixel";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "resize_bilinear to 32x32, then x / 255 in [0, 1] (the model maps it to [-1, 1])";
  s.prepare = prepare_01;
  // quick: 1250 steps of 32 images (what 2 cores train in about 8 minutes), a clipped gradient for the large
  // learning rate
  TrainSettings quick = ddpm_settings(1, 32, 2e-3);
  quick.optimizers.at("model").clip_grad_norm = 1.0;
  quick.limit = 40000;
  quick.test_limit = 512;
  quick.samples = 64;
  quick.ema_decay = 0.995;
  quick.expected_time =
      "934 s CPU (15.6 min wall at 1 thread beside another run; about 8 min alone at 2 threads), 2026-12-05, "
      "measured, MNIST, 1250 steps of 32: test loss 0.0321; samples (EMA, DDIM 50 steps): about half are digits, the "
      "rest gray or white fields or noise (52% too bright, n 128); FID (dgm MNIST features, 10-epoch classifier, "
      "n 500) 620 at 50 DDIM steps (floor 29.4)";
  TrainSettings course = ddpm_settings(20, 128, 2e-4);
  course.ema_decay = 0.9999;
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> { return make_ddpm(c.preset, 0); };
  r.add(std::move(s));
}

void register_ddpm_mnist_cfg(Registry& r) {
  ModelSpec s;
  s.name = "ddpm-mnist-cfg";
  s.family = "diffusion";
  s.course = "homework 5 task 3 (b), lecture 10 (classifier-free guidance)";
  s.description =
      "the ddpm-mnist UNet fine-tuned with labels (second stage: --from runs/ddpm-mnist), each label dropped to "
      "\"empty\" with probability 0.1; guided samples eps = g eps(x, y) + (1 - g) eps(x, empty), g = 3";
  s.loss_unit = "MSE of the predicted noise, per pixel";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "resize_bilinear to 32x32, then x / 255 in [0, 1] (the model maps it to [-1, 1]), with labels";
  s.prepare = prepare_01;
  s.conditional = true;
  s.from = "ddpm-mnist";
  TrainSettings quick = ddpm_settings(1, 32, 1e-3);
  quick.optimizers.at("model").clip_grad_norm = 1.0;
  quick.limit = 40000;
  quick.test_limit = 512;
  quick.samples = 100;
  quick.ema_decay = 0.995;
  quick.expected_time =
      "980 s CPU (16.3 min wall at 1 thread beside another run), 2026-12-05, measured, 1250 steps of 32 from the "
      "quick ddpm-mnist run: test loss 0.0313; guided samples (DDIM 20, n 500, dgm MNIST features): class accuracy "
      "0.51 / 0.74 / 0.82 and FID 464 / 223 / 156 at g = 1 / 3 / 5 (the failed samples are the parent's gray or "
      "noisy fields; the target 0.95 at g = 3 needs more steps: --limit 0 --epochs 8 --schedule cosine "
      "--schedule-unit step --ema 0.999, 113 min at 2 threads, gave 1.000 at g = 3, n 2500)";
  TrainSettings course = ddpm_settings(10, 128, 1e-4);
  course.ema_decay = 0.9999;
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    auto parent = std::dynamic_pointer_cast<ConditionalDDPM>(c.parent);
    DGM_CHECK(parent && !parent->conditional,
              "ddpm-mnist-cfg: needs a trained unconditional ddpm-mnist as its parent (--from runs/ddpm-mnist)");
    auto ddpm = make_ddpm(c.preset, 10);
    DGM_CHECK(parent->model->hidden_channels == ddpm->model->hidden_channels &&
                  parent->model->channel_multipliers == ddpm->model->channel_multipliers &&
                  parent->model->tail_norm_groups == ddpm->model->tail_norm_groups &&
                  parent->num_timesteps == ddpm->num_timesteps,
              "ddpm-mnist-cfg: the parent run's UNet has another size; train both stages with the same --preset");
    // the parent's (EMA) weights; the class embedding, which the unconditional UNet lacks, starts fresh
    NoGradGuard no_grad;
    const nn::LoadStateDictResult result = ddpm->load_state_dict(parent->state_dict(), false);
    DGM_CHECK(result.unexpected_keys.empty(), "ddpm-mnist-cfg: unexpected parent weights");
    ddpm->label_dropout = 0.1;
    return ddpm;
  };
  // the images and labels as they are: only the weights come from the first stage
  s.stage_data = [](GenerativeModel& /*parent*/, const Batch& split) { return split; };
  r.add(std::move(s));
}

}  // namespace

void register_unet_models(Registry& r) {
  register_ddpm_mnist(r);
  register_ddpm_mnist_cfg(r);
}

}  // namespace dgm::models::diffusion
