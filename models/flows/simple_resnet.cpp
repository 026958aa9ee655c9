#include "models/flows/simple_resnet.h"

#include "autograd/ops/elementwise.h"

namespace dgm::models::flows {

GatedConv::GatedConv(int64_t n_filters) {
  conv3x3_ = register_module("conv3x3", std::make_shared<nn::Conv2d>(n_filters, n_filters, 3, 1, 1));
  conv1x1_ = register_module("conv1x1", std::make_shared<nn::Conv2d>(n_filters, 2 * n_filters, 1));
}

// out = x + val * sigmoid(gate), (val, gate) = halves of ELU(conv1x1(ELU(conv3x3(x))))
Tensor GatedConv::forward(const Tensor& x) {
  Tensor h = elu(conv1x1_->forward(elu(conv3x3_->forward(x))));
  std::vector<Tensor> halves = h.chunk(2, 1);
  return x + halves[0] * sigmoid(halves[1]);
}

SimpleResnet::SimpleResnet(int64_t in_channels_, int64_t out_channels_, int64_t n_filters, int64_t n_blocks)
    : in_channels(in_channels_), out_channels(out_channels_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0 && n_filters > 0 && n_blocks >= 0,
            "SimpleResnet: expected channels and filters > 0 and n_blocks >= 0, got in_channels=", in_channels,
            " out_channels=", out_channels, " n_filters=", n_filters, " n_blocks=", n_blocks);
  input_conv_ = register_module("input_conv", std::make_shared<nn::Conv2d>(in_channels, n_filters, 3, 1, 1));
  for (int64_t i = 0; i < n_blocks; ++i)
    blocks_.push_back(register_module("block" + std::to_string(i), std::make_shared<GatedConv>(n_filters)));
  output_conv_ = register_module("output_conv", std::make_shared<nn::Conv2d>(n_filters, out_channels, 3, 1, 1));
}

std::string SimpleResnet::extra_repr() const {
  return "in_channels=" + std::to_string(in_channels) + ", out_channels=" + std::to_string(out_channels);
}

Tensor SimpleResnet::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels, "SimpleResnet: expected (B,", in_channels, ",H,W), got ",
            shape_str(x.shape()));
  Tensor h = elu(input_conv_->forward(x));
  for (auto& block : blocks_) h = elu(block->forward(h));
  return output_conv_->forward(h);
}

}  // namespace dgm::models::flows
