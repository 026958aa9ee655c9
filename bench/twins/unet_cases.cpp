// Homework 5 task 3's UNet DDPM against its PyTorch twin (bench/twins/unet_ddpm_twin.py): the conditional
// ConditionalDDPM loss with given timesteps and noise (the loss draws nothing), a batch mixing labels and the empty
// class (y = -1: cemb = 0), the course's attention on every down level, at 16x16 to stay fast. Dropout is 0 in the
// config (p = 0 is the identity in both), so that the twin need not reproduce dgm's dropout masks.
// zero_grads: a per-channel constant added right before GroupNorm(32, 32) (one channel per group) is normalized
// away, so its gradient is 0 in exact arithmetic: the 32-channel up blocks' conv1 bias and temb/cemb projections
// (before block2's norm), and the last block's output biases (before the tail's norm); the key bias of attention
// (q.(k + b) shifts every score of a query by the same amount, which the softmax ignores).
// The sinusoidal table goes as an input: PyTorch's float32 exp and sin differ from dgm's by an ulp, which the
// course's positive exponent turns into visible differences at large arguments (the twin prints the largest).
#include "bench/twins/twin_cases.h"
#include "models/diffusion/conditional_ddpm.h"
#include "tensor/factories.h"

namespace dgm::twins {

namespace {

// The conditional loss of a UNet DDPM on a 16x16 batch of 4 with the given labels and timesteps (x0, noise drawn).
TwinExport unet_ddpm_export(Generator& gen, std::shared_ptr<models::diffusion::UNet> unet, std::vector<int64_t> labels,
                            std::vector<int64_t> steps) {
  auto ddpm = std::make_shared<models::diffusion::ConditionalDDPM>(unet->num_timesteps, unet);
  const Tensor x0 = rand({4, 1, 16, 16}, &gen);
  const Tensor y = tensor(labels);
  const Tensor t = tensor(steps);
  const Tensor noise = randn({4, 1, 16, 16}, &gen);
  return TwinExport{ddpm,
                    {{"x0", x0}, {"y", y}, {"t", t}, {"noise", noise}, {"time_table", unet->time_embedding->table}},
                    [ddpm, x0, y, t, noise] { return ddpm->loss(x0, y, t, noise); }};
}

TwinCase unet_ddpm_case() {
  const char* config = R"json({"num_timesteps": 50, "num_labels": 10, "hidden_channels": 32,
      "channel_multipliers": [1, 2], "num_blocks": 1, "dropout": 0.0, "zero_grads": [
      "model\\.(downblocks\\.0|upblocks\\.[34])\\.(block1\\.2\\.bias|temb_proj\\.1\\..*|cemb_proj\\.1\\..*)",
      "model\\.upblocks\\.4\\.(block2\\.3|shortcut)\\.bias", "model\\..*\\.attn\\.proj_k\\.bias"]})json";
  return {"unet_ddpm_cfg", "unet_ddpm", config, [](Generator& gen) {
            auto unet = std::make_shared<models::diffusion::UNet>(50, 10, 32, std::vector<int64_t>{1, 2}, 1, 0.0);
            return unet_ddpm_export(gen, unet, {3, -1, 0, 9}, {0, 7, 25, 49});
          }};
}

// The quick presets' UNet: attention from level 1 only and GroupNorm(8, 32) in the tail, at T = 1000 with late
// timesteps. The tail's 4 channels a group keep per-channel constants, so the last block's output biases have
// gradients here; the constants before block2's GroupNorm(32, 32) and the key bias still have none.
TwinCase unet_ddpm_quick_case() {
  const char* config = R"json({"num_timesteps": 1000, "num_labels": 10, "hidden_channels": 32,
      "channel_multipliers": [1, 2], "num_blocks": 1, "dropout": 0.0, "attn_from_level": 1, "tail_norm_groups": 8,
      "zero_grads": [
      "model\\.(downblocks\\.0|upblocks\\.[34])\\.(block1\\.2\\.bias|temb_proj\\.1\\..*|cemb_proj\\.1\\..*)",
      "model\\..*\\.attn\\.proj_k\\.bias"]})json";
  return {
      "unet_ddpm_quick", "unet_ddpm", config, [](Generator& gen) {
        auto unet = std::make_shared<models::diffusion::UNet>(1000, 10, 32, std::vector<int64_t>{1, 2}, 1, 0.0, 1, 8);
        return unet_ddpm_export(gen, unet, {-1, 4, 1, -1}, {3, 480, 979, 999});
      }};
}

}  // namespace

std::vector<TwinCase> unet_twin_cases() { return {unet_ddpm_case(), unet_ddpm_quick_case()}; }

}  // namespace dgm::twins
