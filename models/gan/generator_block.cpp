#include "models/gan/generator_block.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/upsample.h"

namespace dgm::models::gan {

namespace {

// nearest-neighbour x2 (given)
Tensor upsample2(const Tensor& x) { return nn::functional::interpolate(x, std::nullopt, 2.0, "nearest"); }

}  // namespace

GeneratorBlock::GeneratorBlock(int64_t in_channels_, int64_t out_channels_, bool upsample_)
    : in_channels(in_channels_), out_channels(out_channels_), upsample(upsample_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0, "GeneratorBlock: expected positive in_channels and out_channels, got ",
            in_channels, " and ", out_channels);
  // BEGIN SOLUTION hw3.6/layers
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(in_channels));
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, out_channels, 3, 1, 1));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(out_channels));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(out_channels, out_channels, 3, 1, 1));
  if (in_channels != out_channels)
    shortcut_conv = register_module("shortcut_conv", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1));
  // END SOLUTION
}

std::string GeneratorBlock::extra_repr() const {
  return "in=" + std::to_string(in_channels) + ", out=" + std::to_string(out_channels) +
         ", upsample=" + (upsample ? "True" : "False");
}

Tensor GeneratorBlock::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "GeneratorBlock: expected (B, ", in_channels, ", H, W), got ",
            shape_str(x.shape()));
  // BEGIN SOLUTION hw3.6/forward
  // main(x) = conv2(relu(bn2(conv1(up(relu(bn1(x))))))); shortcut(x) = shortcut_conv(up(x))
  Tensor h = relu(bn1->forward(x));
  if (upsample) h = upsample2(h);
  h = conv2->forward(relu(bn2->forward(conv1->forward(h))));
  Tensor shortcut = upsample ? upsample2(x) : x;
  if (shortcut_conv) shortcut = shortcut_conv->forward(shortcut);
  return h + shortcut;
  // END SOLUTION
}

}  // namespace dgm::models::gan
