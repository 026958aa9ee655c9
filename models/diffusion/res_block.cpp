#include "models/diffusion/res_block.h"

#include <sstream>

#include "models/diffusion/unet_embeddings.h"
#include "nn/modules/dropout.h"
#include "nn/modules/normalization.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

ResBlock::ResBlock(int64_t in_channels_, int64_t out_channels_, int64_t t_dim_, double dropout_, bool attn_)
    : in_channels(in_channels_), out_channels(out_channels_), t_dim(t_dim_), dropout(dropout_) {
  DGM_CHECK(in_channels > 0 && in_channels % 32 == 0 && out_channels > 0 && out_channels % 32 == 0,
            "ResBlock: in and out channels must be positive multiples of 32 (GroupNorm(32, C)), got ", in_channels,
            " and ", out_channels);
  DGM_CHECK(t_dim > 0, "ResBlock: expected t_dim > 0, got ", t_dim);
  DGM_CHECK(dropout >= 0 && dropout < 1, "ResBlock: dropout must be in [0, 1), got ", dropout);
  // BEGIN SOLUTION hw5.4/blocks
  block1 = register_module("block1", std::make_shared<nn::Sequential>(
                                         std::make_shared<nn::GroupNorm>(32, in_channels), std::make_shared<Swish>(),
                                         std::make_shared<nn::Conv2d>(in_channels, out_channels, 3, 1, 1)));
  block2 = register_module(
      "block2", std::make_shared<nn::Sequential>(std::make_shared<nn::GroupNorm>(32, out_channels),
                                                 std::make_shared<Swish>(), std::make_shared<nn::Dropout>(dropout),
                                                 std::make_shared<nn::Conv2d>(out_channels, out_channels, 3, 1, 1)));
  // END SOLUTION
  temb_proj = register_module(
      "temb_proj",
      std::make_shared<nn::Sequential>(std::make_shared<Swish>(), std::make_shared<nn::Linear>(t_dim, out_channels)));
  cemb_proj = register_module(
      "cemb_proj",
      std::make_shared<nn::Sequential>(std::make_shared<Swish>(), std::make_shared<nn::Linear>(t_dim, out_channels)));
  if (in_channels != out_channels)
    shortcut = register_module("shortcut", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1));
  if (attn_) attn = register_module("attn", std::make_shared<AttnBlock>(out_channels));
}

std::string ResBlock::extra_repr() const {
  std::ostringstream os;
  os << "in=" << in_channels << ", out=" << out_channels << ", t_dim=" << t_dim << ", dropout=" << dropout
     << ", attn=" << (attn ? "True" : "False");
  return os.str();
}

Tensor ResBlock::forward(const Tensor& x, const Tensor& temb, const Tensor& cemb) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "ResBlock: expected x (B, ", in_channels, ", H, W), got ",
            shape_str(x.shape()));
  const Shape emb{x.size(0), t_dim};
  DGM_CHECK(temb.defined() && temb.shape() == emb && cemb.defined() && cemb.shape() == emb,
            "ResBlock: expected temb and cemb ", shape_str(emb), ", got ",
            temb.defined() ? shape_str(temb.shape()) : std::string("nothing"), " and ",
            cemb.defined() ? shape_str(cemb.shape()) : std::string("nothing"));
  Tensor h;  // block2(block1(x) + embeddings) + shortcut(x), then the given attention
  // BEGIN SOLUTION hw5.4/forward
  // h = block1(x) + temb_proj(temb) + cemb_proj(cemb), broadcast over H and W
  h = block1->forward(x);
  h = h + temb_proj->forward(temb).unsqueeze(2).unsqueeze(3) + cemb_proj->forward(cemb).unsqueeze(2).unsqueeze(3);
  // out = block2(h) + shortcut(x)
  h = block2->forward(h) + (shortcut ? shortcut->forward(x) : x);
  // END SOLUTION
  return attn ? attn->forward(h) : h;
}

}  // namespace dgm::models::diffusion
