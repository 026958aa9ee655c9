#include "models/flows/masked_linear.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/linear.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

MaskedLinear::MaskedLinear(int64_t in_features_, int64_t out_features_, const Tensor& mask_, bool with_bias)
    : nn::Linear(in_features_, out_features_, with_bias) {
  DGM_CHECK(mask_.defined() && mask_.shape() == Shape({out_features, in_features}),
            "MaskedLinear: the mask must be (out_features,in_features) = (", out_features, ",", in_features, "), got ",
            mask_.defined() ? shape_str(mask_.shape()) : std::string("undefined"));
  Tensor m = mask_.detach().to(weight.dtype());
  DGM_CHECK(logical_or(eq(m, zeros_like(m)), eq(m, ones_like(m))).all().item() != 0,
            "MaskedLinear: the mask must hold only zeros and ones");
  mask = register_buffer("mask", m.contiguous());
}

// y = x (W * M)^T + b
Tensor MaskedLinear::forward(const Tensor& x) {
  DGM_CHECK(x.dim() >= 1 && x.size(-1) == in_features, "MaskedLinear: expected input (...,", in_features, "), got ",
            shape_str(x.shape()));
  return nn::functional::linear(x, masked_weight(), bias);
}

Tensor MaskedLinear::masked_weight() const { return weight * mask; }

}  // namespace dgm::models::flows
