// The UNet noise predictor eps_theta(x_t, t, y) of homework 5 task 3 (given code in the course), on 1-channel
// images (B, 1, H, W) with H and W divisible by 2^(levels - 1):
//
//   UNet(num_timesteps, num_labels, hidden_channels, channel_multipliers, num_blocks = 1, dropout = 0.1)
//     temb = TimeEmbedding(T, hidden, 4 hidden)(t);  cemb = ConditionalEmbedding(num_labels, hidden, 4 hidden)(y),
//            or 0 where there is no label (y undefined, or y = -1 for an example: "empty" in guidance).
//            num_labels = 0 builds no class embedding (cemb = 0 always): the unconditional first stage, whose
//            weights the conditional fine-tune loads, its new class embedding freshly initialized. (The course
//            keeps an unused class embedding in the unconditional model; here every parameter trains.)
//     h = head(x) (Conv3x3 1 -> hidden); skips = [h]
//     down, level i (out = hidden * multipliers[i]): num_blocks x ResBlock(attn = i >= attn_from_level, the course:
//           true), each pushing h to skips;
//           then a DownsampleBlock (pushed too), except on the last level
//     middle: ResBlock(attn = true), ResBlock(attn = false)
//     up, levels reversed: num_blocks + 1 x ResBlock on cat([h, skips.pop()], channels) (attn = false);
//           then an UpsampleBlock, except on level 0
//     out = tail(h) = Conv3x3(hidden -> 1)(Swish(GroupNorm(tail_norm_groups, hidden)(h)))   (the course: 32 groups)
//   Every channel count must be a multiple of 32 (GroupNorm(32, C)); hidden, of tail_norm_groups.
//   tail_norm_groups: a GroupNorm removes the mean of each group from every example. The blocks' norms sit inside
//   residual branches, so the mean of the input x_t reaches the tail through the shortcuts; the tail's norm is the
//   one place it can be lost. At hidden 32 the course's 32 groups hold one channel each and remove every channel's
//   mean there, while eps at high t must follow mean(x_t) (README: the DDPM's mean). Fewer groups keep the
//   differences between the channels of a group, through which the mean can pass.
//   num_timesteps = 0: the homework 6 (flow matching) UNet, with a real time t in [0, 1]: temb =
//   ContinuousTimeEmbedding(4 hidden)(t) (sin and cos of k pi t, no MLP, no parameters) instead of the table and MLP.
//   The rest is the same (the course's hw6 UNet is hw5's without the class embedding: use num_labels = 0).
#pragma once
#include <memory>
#include <vector>

#include "models/diffusion/res_block.h"
#include "models/diffusion/resample_blocks.h"
#include "models/diffusion/unet_embeddings.h"

namespace dgm::models::diffusion {

class UNet : public nn::Module {
 public:
  UNet(int64_t num_timesteps, int64_t num_labels, int64_t hidden_channels, std::vector<int64_t> channel_multipliers,
       int64_t num_blocks = 1, double dropout = 0.1, int64_t attn_from_level = 0, int64_t tail_norm_groups = 32);
  // x (B, 1, H, W), t (B) int64 (or float32/float64 in [0, 1] when continuous), y (B) int64 in [-1, num_labels) or
  // undefined -> eps (B, 1, H, W) (the velocity of a flow matching model).
  Tensor forward(const Tensor& x, const Tensor& t, const Tensor& y = {});
  Tensor forward(const Tensor& x) override;  // refused: the UNet needs t
  std::string name() const override { return "UNet"; }
  std::string extra_repr() const override;

  int64_t num_timesteps, num_labels, hidden_channels;
  std::vector<int64_t> channel_multipliers;
  int64_t num_blocks;
  double dropout;
  // Down levels i >= attn_from_level have attention in their ResBlocks: 0 (every level) is the course's UNet; the
  // quick presets skip the full-resolution level (1024 tokens at 32x32), which costs most on a CPU.
  int64_t attn_from_level;
  int64_t tail_norm_groups;  // groups of the tail's GroupNorm (the course: 32)
  bool continuous_time() const { return num_timesteps == 0; }
  std::shared_ptr<TimeEmbedding> time_embedding;                       // null when continuous
  std::shared_ptr<ContinuousTimeEmbedding> continuous_time_embedding;  // null when discrete
  std::shared_ptr<ConditionalEmbedding> cond_embedding;                // null when num_labels = 0
  std::shared_ptr<nn::Conv2d> head;
  // ResBlock and DownsampleBlock in order; ResBlock; ResBlock and UpsampleBlock in order.
  std::shared_ptr<nn::ModuleList> downblocks, middleblocks, upblocks;
  std::shared_ptr<nn::Sequential> tail;
};

}  // namespace dgm::models::diffusion
