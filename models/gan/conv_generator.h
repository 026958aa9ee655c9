// The convolutional generator of homework 3 task 3 (hw3.7):
//
//   ConvGenerator(input_size = 128, n_channels = 64, out_channels = 3)
//     z (B, input_size) -> Linear to 4 * 4 * n_channels -> view (B, n_channels, 4, 4)
//     -> 3 x GeneratorBlock(n_channels, n_channels, upsample)   4 -> 8 -> 16 -> 32
//     -> BatchNorm2d -> ReLU -> Conv2d(n_channels, out_channels, 3, padding 1) -> tanh      (B, out_channels, 32, 32)
//
// The output is in [-1, 1]: the data it is trained against must be scaled there too (the homework's notebook
// feeds CIFAR-10 in [0, 1]; dgm's specs scale every data set to [-1, 1]). out_channels is 3 in the course
// (CIFAR-10), 1 for MNIST.
#pragma once
#include <memory>

#include "models/gan/generator_block.h"
#include "nn/modules/container.h"
#include "nn/modules/linear.h"

namespace dgm::models::gan {

class ConvGenerator : public nn::Module {
 public:
  explicit ConvGenerator(int64_t input_size = 128, int64_t n_channels = 64, int64_t out_channels = 3);
  Tensor forward(const Tensor& z) override;
  std::string name() const override { return "ConvGenerator"; }
  std::string extra_repr() const override;

  int64_t input_size, n_channels, out_channels;
  // Registered as "linear", "blocks" (a Sequential of three GeneratorBlocks), "bn", "conv".
  std::shared_ptr<nn::Linear> linear;
  std::shared_ptr<nn::Sequential> blocks;
  std::shared_ptr<nn::BatchNorm2d> bn;
  std::shared_ptr<nn::Conv2d> conv;
};

}  // namespace dgm::models::gan
