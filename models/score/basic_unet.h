// Seminar 8's BasicUNet (denoising_model.ipynb, the "heuristic diffusion"): a small UNet for 1x28x28 images,
// every conv 5x5 with padding 2, SiLU after every conv (the last one too), additive skips:
//
//   down:  conv 1->c1 (28x28) [skip] maxpool2 -> conv c1->c2 (14x14) [skip] maxpool2 -> conv c2->c2 (7x7)
//   up:    conv c2->c2 (7x7) -> upsample x2 (nearest) + skip -> conv c2->c1 (14x14)
//                            -> upsample x2 + skip -> conv c1->out (28x28)
//
// with (c1, c2) = (32, 64) in the seminar. H and W must be divisible by 4.
#pragma once
#include <memory>

#include "nn/modules/container.h"

namespace dgm::models::score {

class BasicUNet : public nn::Module {
 public:
  BasicUNet(int64_t in_channels = 1, int64_t out_channels = 1, int64_t c1 = 32, int64_t c2 = 64);
  std::string name() const override { return "BasicUNet"; }
  // (B, in, H, W) -> (B, out, H, W)
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::ModuleList> down_layers, up_layers;
  const int64_t in_channels;
};

}  // namespace dgm::models::score
