// The conditioner networks of homework 2's RealNVP (given code in the course):
//
//   GatedConv(n):  h = ELU(Conv1x1(n -> 2n)(ELU(Conv3x3(n -> n)(x))));  (val, gate) = chunk(h, 2, channels)
//                  out = x + val * sigmoid(gate)
//   SimpleResnet(in, out, n_filters, n_blocks):
//                  Conv3x3(in -> n_filters), ELU, n_blocks x [GatedConv, ELU], Conv3x3(n_filters -> out)
//
// 3x3 convolutions keep the spatial size (padding 1).
#pragma once
#include <memory>
#include <vector>

#include "nn/modules/conv.h"

namespace dgm::models::flows {

class GatedConv : public nn::Module {
 public:
  explicit GatedConv(int64_t n_filters);
  std::string name() const override { return "GatedConv"; }
  Tensor forward(const Tensor& x) override;

 private:
  std::shared_ptr<nn::Conv2d> conv3x3_, conv1x1_;
};

class SimpleResnet : public nn::Module {
 public:
  SimpleResnet(int64_t in_channels, int64_t out_channels, int64_t n_filters, int64_t n_blocks);
  std::string name() const override { return "SimpleResnet"; }
  std::string extra_repr() const override;
  Tensor forward(const Tensor& x) override;

  int64_t in_channels, out_channels;

 private:
  std::shared_ptr<nn::Conv2d> input_conv_, output_conv_;
  std::vector<std::shared_ptr<GatedConv>> blocks_;
};

}  // namespace dgm::models::flows
