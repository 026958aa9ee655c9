#include "models/gan/conv_generator.h"

#include "autograd/ops/elementwise.h"

namespace dgm::models::gan {

ConvGenerator::ConvGenerator(int64_t input_size_, int64_t n_channels_, int64_t out_channels_)
    : input_size(input_size_), n_channels(n_channels_), out_channels(out_channels_) {
  DGM_CHECK(input_size > 0 && n_channels > 0 && out_channels > 0,
            "ConvGenerator: expected positive input_size, n_channels and out_channels, got ", input_size, ", ",
            n_channels, ", ", out_channels);
  // BEGIN SOLUTION hw3.7/layers
  linear = register_module("linear", std::make_shared<nn::Linear>(input_size, 4 * 4 * n_channels));
  blocks = register_module("blocks", std::make_shared<nn::Sequential>());
  for (int i = 0; i < 3; ++i) blocks->push_back(std::make_shared<GeneratorBlock>(n_channels, n_channels, true));
  bn = register_module("bn", std::make_shared<nn::BatchNorm2d>(n_channels));
  conv = register_module("conv", std::make_shared<nn::Conv2d>(n_channels, out_channels, 3, 1, 1));
  // END SOLUTION
}

std::string ConvGenerator::extra_repr() const {
  return "input_size=" + std::to_string(input_size) + ", n_channels=" + std::to_string(n_channels) +
         ", out_channels=" + std::to_string(out_channels);
}

Tensor ConvGenerator::forward(const Tensor& z) {
  DGM_CHECK(z.dim() == 2 && z.size(1) == input_size, "ConvGenerator: expected noise (B, ", input_size, "), got ",
            shape_str(z.shape()));
  // BEGIN SOLUTION hw3.7/forward
  // Linear -> (B, n, 4, 4) -> blocks 4 -> 32 -> relu(bn) -> conv -> tanh
  Tensor h = linear->forward(z).view({z.size(0), n_channels, 4, 4});
  h = relu(bn->forward(blocks->forward(h)));
  return tanh(conv->forward(h));
  // END SOLUTION
}

}  // namespace dgm::models::gan
