#include "models/score/basic_unet.h"

#include <vector>

#include "autograd/ops/elementwise.h"
#include "nn/functional/pooling.h"
#include "nn/functional/upsample.h"
#include "nn/modules/conv.h"
#include "tensor/error.h"

namespace dgm::models::score {

namespace {

std::shared_ptr<nn::Conv2d> conv5(int64_t in, int64_t out) { return std::make_shared<nn::Conv2d>(in, out, 5, 1, 2); }

}  // namespace

BasicUNet::BasicUNet(int64_t in, int64_t out, int64_t c1, int64_t c2) : in_channels(in) {
  DGM_CHECK(in > 0 && out > 0 && c1 > 0 && c2 > 0, "BasicUNet: expected positive channel counts, got in ", in, ", out ",
            out, ", widths ", c1, ", ", c2);
  down_layers = register_module("down_layers", std::make_shared<nn::ModuleList>());
  down_layers->push_back(conv5(in, c1));
  down_layers->push_back(conv5(c1, c2));
  down_layers->push_back(conv5(c2, c2));
  up_layers = register_module("up_layers", std::make_shared<nn::ModuleList>());
  up_layers->push_back(conv5(c2, c2));
  up_layers->push_back(conv5(c2, c1));
  up_layers->push_back(conv5(c1, out));
}

Tensor BasicUNet::forward(const Tensor& input) {
  DGM_CHECK(input.dim() == 4 && input.size(1) == in_channels && input.size(2) % 4 == 0 && input.size(3) % 4 == 0,
            "BasicUNet: expected images (B,", in_channels, ",H,W) with H and W divisible by 4, got ",
            shape_str(input.shape()));
  namespace F = nn::functional;
  std::vector<Tensor> skips;
  Tensor x = input;
  for (size_t i = 0; i < down_layers->size(); ++i) {
    x = dgm::silu((*down_layers)[i]->forward(x));
    if (i + 1 < down_layers->size()) {
      skips.push_back(x);
      x = F::max_pool2d(x, 2);
    }
  }
  for (size_t i = 0; i < up_layers->size(); ++i) {
    if (i > 0) {
      // nearest upsampling x2, plus the skip of that resolution
      x = F::interpolate(x, std::nullopt, 2.0, "nearest") + skips.back();
      skips.pop_back();
    }
    x = dgm::silu((*up_layers)[i]->forward(x));
  }
  return x;
}

}  // namespace dgm::models::score
