// The single-head self-attention block of the homework 5 task 3 UNet (given code in the course), on (B, C, H, W):
//
//   h = GroupNorm(32, C)(x);  q, k, v = 1x1 convs of h, each (B, C, H, W) -> (B, HW, C)
//   w = softmax(q k^T C^-1/2) over the keys                (B, HW, HW)
//   out = x + proj(w v)                                     proj: 1x1 conv, back to (B, C, H, W)
#pragma once
#include <memory>

#include "nn/modules/conv.h"
#include "nn/modules/normalization.h"

namespace dgm::models::diffusion {

class AttnBlock : public nn::Module {
 public:
  explicit AttnBlock(int64_t channels);  // channels: a multiple of 32 (GroupNorm(32, C))
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "AttnBlock"; }

  int64_t channels;
  std::shared_ptr<nn::GroupNorm> group_norm;
  std::shared_ptr<nn::Conv2d> proj_q, proj_k, proj_v, proj;
};

}  // namespace dgm::models::diffusion
