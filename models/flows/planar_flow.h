// The planar flow of Rezende & Mohamed 2015 (seminar 2; seminar 3's
// PlanarTransform), on points (B,D):
//
//   f(x) = x + u_hat tanh(w^T x + b),        w, u in R^D, b in R, each ~ N(0, 0.1^2) at init
//   u_hat = u + (m(w^T u) - w^T u) w / |w|^2,  m(a) = softplus(a) - 1
//
// u_hat is u moved along w so that w^T u_hat = m(w^T u) > -1, which makes f
// invertible (the map is then strictly increasing along w). By the matrix
// determinant lemma, det(I + h' u_hat w^T) = 1 + h' w^T u_hat, so
//
//   log|det df/dx| = log|1 + h'(w^T x + b) w^T u_hat|,   h = tanh, h' = 1 - tanh^2.
//
// This is the exact value; the seminar's notebook trains with
// log(1e-4 + |...|), available as log_det_eps (0, the exact value, by default
// and in every model of planar_specs.cpp).
//
// The inverse has no closed form. Write a = w^T x: applying w^T to
// y = f(x) gives the scalar equation  a + (w^T u_hat) tanh(a + b) = w^T y,
// strictly increasing in a, whose root lies in [w^T y - |w^T u_hat|, w^T y +
// |w^T u_hat|] (|tanh| <= 1). It is solved per example in float64 by Newton
// steps safeguarded by bisection to |step| <= 1e-12 (1 + |a|), then
// x = y - u_hat tanh(a + b). The inverse is differentiable: a is the detached
// root a* followed by one Newton step a* - F(a*)/F'(a*) recorded by autograd,
// whose value is a* and whose gradient is the implicit-function one -dF/F'.
// w = 0 is not allowed (u_hat divides by |w|^2): the init never draws it.
#pragma once
#include "models/flows/flow_layer.h"
#include "tensor/random.h"

namespace dgm::models::flows {

class PlanarTransform : public FlowLayer {
 public:
  // w, u, b ~ N(0, 0.1^2) from gen (null: the default generator), float32.
  explicit PlanarTransform(int64_t dim, Generator* gen = nullptr, double log_det_eps = 0);
  std::string name() const override { return "PlanarTransform"; }
  std::string extra_repr() const override;

  // x (B,D) -> (f(x), log|det df/dx| (B)); invert: y -> (f^{-1}(y), -log|det df/dx| at f^{-1}(y)).
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  // u_hat = u + (softplus(w^T u) - 1 - w^T u) w / |w|^2, (D).
  Tensor u_hat() const;
  int64_t dim() const { return dim_; }

  Tensor w, u, b;  // (D), (D), (1)

 private:
  // The root a of a + wu tanh(a + b) = c for each c, in float64 (no graph).
  std::vector<double> solve_along_w(const std::vector<double>& c, double wu, double bias) const;

  int64_t dim_;
  double log_det_eps_;
};

}  // namespace dgm::models::flows
