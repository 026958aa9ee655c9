// The residual block of the homework 5 task 3 UNet, on (B, in, H, W) with a time embedding temb and a class
// embedding cemb, both (B, t_dim):
//
//   ResBlock(in, out, t_dim, dropout, attn = false)                                         (hw5.4)
//     block1(x) = Conv3x3(in -> out)(Swish(GroupNorm(32, in)(x)))
//     h         = block1(x) + temb_proj(temb)[:, :, None, None] + cemb_proj(cemb)[:, :, None, None]
//     block2(h) = Conv3x3(out -> out)(Dropout(p)(Swish(GroupNorm(32, out)(h))))
//     out       = attn(block2(h) + shortcut(x))
//   temb_proj, cemb_proj = Swish then Linear(t_dim -> out) (given); shortcut = Conv1x1(in -> out) when in != out,
//   the identity otherwise (given); attn = AttnBlock(out) when attn, the identity otherwise (given).
//   (B, in, H, W) -> (B, out, H, W); in and out: multiples of 32.
#pragma once
#include <memory>

#include "models/diffusion/attn_block.h"
#include "nn/modules/container.h"
#include "nn/modules/linear.h"

namespace dgm::models::diffusion {

class ResBlock : public nn::Module {
 public:
  ResBlock(int64_t in_channels, int64_t out_channels, int64_t t_dim, double dropout, bool attn = false);
  Tensor forward(const Tensor& x, const Tensor& temb, const Tensor& cemb);
  std::string name() const override { return "ResBlock"; }
  std::string extra_repr() const override;

  int64_t in_channels, out_channels, t_dim;
  double dropout;
  // block1: GroupNorm, Swish, Conv3x3; block2: GroupNorm, Swish, Dropout, Conv3x3; temb_proj, cemb_proj: Swish,
  // Linear.
  std::shared_ptr<nn::Sequential> block1, block2, temb_proj, cemb_proj;
  std::shared_ptr<nn::Conv2d> shortcut;  // null when in == out
  std::shared_ptr<AttnBlock> attn;       // null without attention
};

}  // namespace dgm::models::diffusion
