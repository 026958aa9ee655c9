#include "models/flows/invertible_conv1x1.h"

#include "autograd/ops/linalg.h"

namespace dgm::models::flows {

Invertible1x1Conv::Invertible1x1Conv(int64_t channels, MatrixParametrization parametrization, Generator* gen)
    : channels_(channels), parametrization_(parametrization) {
  DGM_CHECK(channels >= 1, "Invertible1x1Conv: expected channels >= 1, got ", channels);
  matrix_ = register_module("matrix", make_invertible_matrix(parametrization, channels, gen));
}

std::string Invertible1x1Conv::extra_repr() const {
  return std::to_string(channels_) + ", parametrization=" + parametrization_name(parametrization_);
}

FlowOutput Invertible1x1Conv::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels_, "Invertible1x1Conv: expected (B,", channels_, ",H,W), got ",
            shape_str(x.shape()));
  const int64_t batch = x.size(0), pixels = x.size(2) * x.size(3);
  Tensor w = invert ? matrix_->inverse_weight() : matrix_->weight();
  // z[b, :, p] = W x[b, :, p] for every pixel p
  Tensor z = matmul(w, x.reshape({batch, channels_, pixels})).reshape(x.shape());
  // log|det| = H W log|det W| per example (minus that for the inverse)
  Tensor log_det = matrix_->log_abs_det() * static_cast<double>(invert ? -pixels : pixels);
  return {z, log_det * ones({batch}, TensorOptions(x.dtype()).device(x.device()))};
}

}  // namespace dgm::models::flows
