// Linear, Identity and Flatten modules, as torch.nn.
#pragma once
#include "nn/module.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

// y = x W^T + b with W (out_features, in_features), b (out_features); both
// start as U(-1/sqrt(in_features), 1/sqrt(in_features)), as PyTorch.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x) override;
  void reset_parameters(Generator* gen = nullptr);
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;

  int64_t in_features, out_features;
  Tensor weight, bias;  // bias undefined when bias=false
};

// y = x.
class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Identity"; }
};

// x.flatten(start_dim, end_dim); the default keeps the batch dim.
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override { return x.flatten(start_dim, end_dim); }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;

  int64_t start_dim, end_dim;
};

}  // namespace dgm::nn
