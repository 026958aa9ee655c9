#include "models/flows/linear_flow.h"

#include "autograd/ops/linalg.h"

namespace dgm::models::flows {

LinearFlow::LinearFlow(int64_t dim, MatrixParametrization parametrization, Generator* gen)
    : dim_(dim), parametrization_(parametrization) {
  DGM_CHECK(dim >= 1, "LinearFlow: expected dim >= 1, got ", dim);
  matrix_ = register_module("matrix", make_invertible_matrix(parametrization, dim, gen));
}

std::string LinearFlow::extra_repr() const {
  return std::to_string(dim_) + ", parametrization=" + parametrization_name(parametrization_);
}

FlowOutput LinearFlow::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 2 && x.size(1) == dim_, "LinearFlow: expected (B,", dim_, "), got ", shape_str(x.shape()));
  Tensor w = invert ? matrix_->inverse_weight() : matrix_->weight();
  // z_b = W x_b for each row x_b: Z = X W^T
  Tensor z = matmul(x, w.mT());
  // log|det| = log|det W| per example (minus that for the inverse)
  Tensor log_det = invert ? -matrix_->log_abs_det() : matrix_->log_abs_det();
  return {z, log_det * ones({x.size(0)}, TensorOptions(x.dtype()).device(x.device()))};
}

}  // namespace dgm::models::flows
