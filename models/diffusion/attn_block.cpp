#include "models/diffusion/attn_block.h"

#include "nn/functional/attention.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

AttnBlock::AttnBlock(int64_t channels_) : channels(channels_) {
  DGM_CHECK(channels > 0 && channels % 32 == 0, "AttnBlock: channels must be a positive multiple of 32 (GroupNorm(32, ",
            "C)), got ", channels);
  group_norm = register_module("group_norm", std::make_shared<nn::GroupNorm>(32, channels));
  proj_q = register_module("proj_q", std::make_shared<nn::Conv2d>(channels, channels, 1));
  proj_k = register_module("proj_k", std::make_shared<nn::Conv2d>(channels, channels, 1));
  proj_v = register_module("proj_v", std::make_shared<nn::Conv2d>(channels, channels, 1));
  proj = register_module("proj", std::make_shared<nn::Conv2d>(channels, channels, 1));
}

Tensor AttnBlock::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels, "AttnBlock: expected (B, ", channels, ", H, W), got ",
            shape_str(x.shape()));
  const int64_t B = x.size(0), C = channels, H = x.size(2), W = x.size(3);
  const Tensor h = group_norm->forward(x);
  const Tensor q = proj_q->forward(h).reshape({B, C, H * W}).permute({0, 2, 1});  // (B, HW, C)
  const Tensor k = proj_k->forward(h).reshape({B, C, H * W}).permute({0, 2, 1});  // (B, HW, C)
  const Tensor v = proj_v->forward(h).reshape({B, C, H * W}).permute({0, 2, 1});  // (B, HW, C)
  // softmax(q k^T C^-1/2) v, the weights over the keys: scaled_dot_product_attention's default scale 1/sqrt(C), on
  // the CPU the fused kernel (the (B, HW, HW) weights never held whole)
  const Tensor out = nn::functional::scaled_dot_product_attention(q, k, v).permute({0, 2, 1}).reshape({B, C, H, W});
  return x + proj->forward(out);
}

}  // namespace dgm::models::diffusion
