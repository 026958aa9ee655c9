// Homework 6 task 2's flow matching UNet and loss against the PyTorch twin (bench/twins/flow_matching_twin.py): the
// UNet with the continuous time embedding and no class embedding (num_blocks 2, the course's default; attention on
// every down level), the loss with given x1, x0 and t (it draws nothing), at 16x16 to stay fast. Dropout is 0 in the
// config (p = 0 is the identity in both), so that the twin need not reproduce dgm's dropout masks.
// zero_grads: the class projection sees cemb = 0, so its weight gets no gradient (swish(0) = 0); a per-channel
// constant added right before GroupNorm(32, 32) (one channel per group) is normalized away, so its gradient is 0 in
// exact arithmetic: the 32-channel blocks' conv1 bias and time / class projections (before block2's norm), the last
// up block's output biases (before the tail's norm); the key bias of attention (the softmax ignores it).
#include "bench/twins/twin_cases.h"
#include "models/flow_matching/flow_matching.h"
#include "tensor/factories.h"

namespace dgm::twins {

namespace {

TwinCase flow_matching_case() {
  const char* config = R"json({"hidden_channels": 32, "channel_multipliers": [1, 2], "num_blocks": 2,
      "dropout": 0.0, "attn_from_level": 0, "zero_grads": [
      "model\\..*\\.cemb_proj\\.1\\.weight",
      "model\\.(downblocks\\.[01]|upblocks\\.[456])\\.(block1\\.2\\.bias|temb_proj\\.1\\..*|cemb_proj\\.1\\..*)",
      "model\\.upblocks\\.6\\.(block2\\.3|shortcut)\\.bias", "model\\..*\\.attn\\.proj_k\\.bias"]})json";
  return {"flow_matching_cfm", "flow_matching", config, [](Generator& gen) {
            auto unet = std::make_shared<models::diffusion::UNet>(0, 0, 32, std::vector<int64_t>{1, 2}, 2, 0.0, 0);
            auto fm = std::make_shared<models::flow_matching::FlowMatching>(unet);
            const Tensor x1 = rand({4, 1, 16, 16}, &gen);
            const Tensor x0 = randn({4, 1, 16, 16}, &gen);
            const Tensor t = tensor(std::vector<float>{0.f, 0.27f, 0.6f, 1.f});
            return TwinExport{fm, {{"x1", x1}, {"x0", x0}, {"t", t}}, [fm, x1, x0, t] { return fm->loss(x1, x0, t); }};
          }};
}

}  // namespace

std::vector<TwinCase> flow_matching_twin_cases() { return {flow_matching_case()}; }

}  // namespace dgm::twins
