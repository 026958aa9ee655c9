#include "models/gan/critic_block.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/pooling.h"

namespace dgm::models::gan {

Tensor avg_pool(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(2) % 2 == 0 && x.size(3) % 2 == 0,
            "avg_pool: expected (B, C, H, W) with H and W even, got ", shape_str(x.shape()));
  // the mean of the four strided slices is the 2x2 average pool with stride 2
  return nn::functional::avg_pool2d(x, 2);
}

CriticBlock::CriticBlock(int64_t in_channels_, int64_t out_channels_, bool downsample_, bool first_)
    : in_channels(in_channels_), out_channels(out_channels_), downsample(downsample_), first(first_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0, "CriticBlock: expected positive in_channels and out_channels, got ",
            in_channels, " and ", out_channels);
  // BEGIN SOLUTION hw3.8/layers
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, out_channels, 3, 1, 1));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(out_channels, out_channels, 3, 1, 1));
  if (in_channels != out_channels)
    shortcut_conv = register_module("shortcut_conv", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1));
  // END SOLUTION
}

std::string CriticBlock::extra_repr() const {
  return "in=" + std::to_string(in_channels) + ", out=" + std::to_string(out_channels) +
         ", downsample=" + (downsample ? "True" : "False") + ", first=" + (first ? "True" : "False");
}

Tensor CriticBlock::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "CriticBlock: expected (B, ", in_channels, ", H, W), got ",
            shape_str(x.shape()));
  // BEGIN SOLUTION hw3.8/forward
  // main(x) = pool(conv2(relu(conv1(act(x))))); shortcut(x) = pool(shortcut_conv(x))
  Tensor h = conv2->forward(relu(conv1->forward(first ? x : relu(x))));
  Tensor shortcut = shortcut_conv ? shortcut_conv->forward(x) : x;
  if (downsample) {
    h = avg_pool(h);
    shortcut = avg_pool(shortcut);
  }
  return h + shortcut;
  // END SOLUTION
}

}  // namespace dgm::models::gan
