// A linear flow on vectors (lecture 2): z = W x for x in R^D,
//
//   forward  z = W x,        log|det dz/dx| = log|det W|   (per example, shape (B))
//   inverse  x = W^{-1} z,   log|det| = -log|det W|
//
// with W an InvertibleMatrix (invertible_matrix.h) parametrized so that the
// log-det is cheap:
//   LU  W = P L (U + diag(sign_s exp(log_s))),  log|det W| = sum log_s
//   QR  W = Q R, Q = H_1 ... H_D Householder reflections, R upper-triangular
//       with diagonal exp(log_r),               log|det W| = sum log_r
// (plain W, log-det by slogdet, is there for comparison). A linear flow alone
// maps N(0, I) to N(0, W W^T): it can fit only a centered Gaussian.
#pragma once
#include <memory>

#include "models/flows/flow_layer.h"
#include "models/flows/invertible_matrix.h"

namespace dgm::models::flows {

class LinearFlow : public FlowLayer {
 public:
  LinearFlow(int64_t dim, MatrixParametrization parametrization = MatrixParametrization::kLU, Generator* gen = nullptr);
  std::string name() const override { return "LinearFlow"; }
  std::string extra_repr() const override;

  // x (B, D) -> (z, log_det (B))
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  InvertibleMatrix& matrix() { return *matrix_; }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
  MatrixParametrization parametrization_;
  std::shared_ptr<InvertibleMatrix> matrix_;
};

}  // namespace dgm::models::flows
