// The radial flow of Rezende & Mohamed 2015 (seminar 2), on points (B,D):
//
//   f(x) = x + beta h(r) (x - z0),   r = |x - z0|,  h(r) = 1 / (alpha + r)
//   alpha = softplus(a) > 0,  beta = -alpha + softplus(b) > -alpha      (z0 in R^D, a, b in R, ~ N(0, 0.1^2) at init)
//
// beta > -alpha keeps f invertible: |f(x) - z0| = r (1 + beta h(r)) is then
// strictly increasing in r. The Jacobian is (1 + beta h) I + beta h'(r) (x - z0)(x - z0)^T / r,
// whose eigenvalues are 1 + beta h (D - 1 times, across the radius) and
// 1 + beta h + beta h' r (along it), so
//
//   log|det df/dx| = (D - 1) log(1 + beta h) + log(1 + beta h + beta h'(r) r),   h' = -h^2,
//
// both factors positive for beta > -alpha.
//
// Inverse: y - z0 = (1 + beta h(r)) (x - z0) is parallel to x - z0, so with
// s = |y - z0| the radius solves  r + beta r / (alpha + r) = s, i.e. the
// quadratic r^2 + (alpha + beta - s) r - alpha s = 0, whose only root r >= 0
// is taken in float64 in the cancellation-free form; then
// x = z0 + (y - z0) / (1 + beta h(r)). As for the planar flow, one Newton
// step recorded by autograd from the detached root carries the gradient.
#pragma once
#include "models/flows/flow_layer.h"
#include "tensor/random.h"

namespace dgm::models::flows {

class RadialTransform : public FlowLayer {
 public:
  // z0, a, b ~ N(0, 0.1^2) from gen (null: the default generator), float32.
  explicit RadialTransform(int64_t dim, Generator* gen = nullptr);
  std::string name() const override { return "RadialTransform"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

  // x (B,D) -> (f(x), log|det df/dx| (B)); invert: y -> (f^{-1}(y), -log|det df/dx| at f^{-1}(y)).
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  Tensor alpha() const;  // softplus(a), (1)
  Tensor beta() const;   // -alpha + softplus(b), (1)
  int64_t dim() const { return dim_; }

  Tensor z0, a, b;  // (D), (1), (1)

 private:
  int64_t dim_;
};

}  // namespace dgm::models::flows
