// Activation functions as modules, as torch.nn (each forward is the dgm op of
// the same name, see autograd/ops/activations.cpp for the math).
#pragma once
#include <string>

#include "nn/module.h"

namespace dgm::nn {

// max(x, 0)
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ReLU"; }
};

// x if x > 0 else negative_slope * x
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override { return "negative_slope=" + py_float(negative_slope); }
  double negative_slope;
};

// x if x > 0 else alpha * (exp(x) - 1)
class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ELU"; }
  std::string extra_repr() const override { return "alpha=" + py_float(alpha); }
  double alpha;
};

// scale * elu(x, alpha) with PyTorch's fixed scale and alpha
class SELU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SELU"; }
};

// x * sigmoid(x)
class SiLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SiLU"; }
};

// x * Phi(x) ("none") or its tanh approximation ("tanh")
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override { return "approximate='" + approximate + "'"; }
  std::string approximate;
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Tanh"; }
};

// 1 / (1 + exp(-x))
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sigmoid"; }
};

// log(1 + exp(beta x)) / beta, linear where beta x > threshold
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1, double threshold = 20) : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softplus"; }
  std::string extra_repr() const override { return "beta=" + py_float(beta) + ", threshold=" + py_float(threshold); }
  double beta, threshold;
};

// softmax / log_softmax along dim
class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  int64_t dim;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  int64_t dim;
};

}  // namespace dgm::nn
