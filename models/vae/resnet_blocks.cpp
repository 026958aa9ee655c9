#include "models/vae/resnet_blocks.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "nn/functional/upsample.h"

namespace dgm::models::vae {

SameConv2d::SameConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
    : nn::Conv2d(in_channels, out_channels, kernel_size) {}

Tensor SameConv2d::forward(const Tensor& x) {
  // padding="same": (k-1)/2 zeros before, the rest after (one more after for an even k)
  const int64_t before = (kernel_size.h - 1) / 2, after = kernel_size.h - 1 - before;
  return nn::Conv2d::forward(pad(x, {before, after, before, after}));
}

ResNetBlock::ResNetBlock(int64_t in_channels_, int64_t out_channels_, int64_t kernel_size_, int64_t stride_,
                         bool final_relu_)
    : in_channels(in_channels_),
      out_channels(out_channels_),
      kernel_size(kernel_size_),
      stride(stride_),
      final_relu(final_relu_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0 && stride > 0, "ResNetBlock: expected positive in_channels, ",
            "out_channels and stride, got ", in_channels, ", ", out_channels, ", ", stride);
  DGM_CHECK(kernel_size > 0 && kernel_size % 2 == 1, "ResNetBlock: expected an odd kernel_size, got ", kernel_size);
  // BEGIN SOLUTION hw2.8/layers
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(in_channels));
  conv1 = register_module(
      "conv1", std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel_size, stride, kernel_size / 2));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(out_channels));
  conv2 = register_module("conv2", std::make_shared<SameConv2d>(out_channels, out_channels, kernel_size));
  skip = register_module("skip", std::make_shared<nn::Conv2d>(in_channels, out_channels, 1, stride));
  // END SOLUTION
}

std::string ResNetBlock::extra_repr() const {
  return "in=" + std::to_string(in_channels) + ", out=" + std::to_string(out_channels) +
         ", kernel_size=" + std::to_string(kernel_size) + ", stride=" + std::to_string(stride) +
         ", final_relu=" + (final_relu ? "True" : "False");
}

Tensor ResNetBlock::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "ResNetBlock: expected (B, ", in_channels, ", H, W), got ",
            shape_str(x.shape()));
  // BEGIN SOLUTION hw2.8/forward
  // residual(x) = conv2(bn2(elu(conv1(bn1(x))))); out = elu(skip(x) + residual(x))
  Tensor residual = conv2->forward(bn2->forward(elu(conv1->forward(bn1->forward(x)))));
  Tensor out = skip->forward(x) + residual;
  return final_relu ? elu(out) : out;
  // END SOLUTION
}

ResNetTransposeBlock::ResNetTransposeBlock(int64_t in_channels_, int64_t out_channels_, int64_t kernel_size_,
                                           int64_t stride_)
    : in_channels(in_channels_), out_channels(out_channels_), kernel_size(kernel_size_), stride(stride_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0 && kernel_size > 0 && stride > 0,
            "ResNetTransposeBlock: expected positive in_channels, out_channels, kernel_size and stride, got ",
            in_channels, ", ", out_channels, ", ", kernel_size, ", ", stride);
  // BEGIN SOLUTION hw2.9/layers
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(in_channels));
  upconv = register_module("upconv", std::make_shared<SameConv2d>(in_channels, out_channels, kernel_size));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(out_channels));
  conv = register_module("conv", std::make_shared<SameConv2d>(out_channels, out_channels, kernel_size));
  // END SOLUTION
}

std::string ResNetTransposeBlock::extra_repr() const {
  return "in=" + std::to_string(in_channels) + ", out=" + std::to_string(out_channels) +
         ", kernel_size=" + std::to_string(kernel_size) + ", stride=" + std::to_string(stride);
}

Tensor ResNetTransposeBlock::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "ResNetTransposeBlock: expected (B, ", in_channels,
            ", H, W), got ", shape_str(x.shape()));
  // BEGIN SOLUTION hw2.9/forward
  // f(x) = upconv(upsample(bn1(x))); out = conv(bn2(f(x))) + f(x)
  Tensor up = nn::functional::interpolate(bn1->forward(x), std::nullopt, static_cast<double>(stride), "nearest");
  Tensor f = upconv->forward(up);
  return conv->forward(bn2->forward(f)) + f;
  // END SOLUTION
}

}  // namespace dgm::models::vae
