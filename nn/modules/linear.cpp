#include "nn/modules/linear.h"

#include <cmath>

#include "nn/functional/linear.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::nn {

Linear::Linear(int64_t in_features_, int64_t out_features_, bool with_bias)
    : in_features(in_features_), out_features(out_features_) {
  DGM_CHECK(in_features >= 0 && out_features >= 0, "Linear: sizes must be non-negative, got in_features=", in_features,
            ", out_features=", out_features);
  weight = register_parameter("weight", empty({out_features, in_features}, kFloat32));
  if (with_bias) bias = register_parameter("bias", empty({out_features}, kFloat32));
  reset_parameters();
}

void Linear::reset_parameters(Generator* gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);  // U(-1/sqrt(in), 1/sqrt(in))
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound, gen);
  }
}

Tensor Linear::forward(const Tensor& x) { return functional::linear(x, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + py_bool(bias.defined());
}

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

}  // namespace dgm::nn
