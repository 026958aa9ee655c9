// A normalizing-flow layer (lecture 2): an invertible map f with the log of
// the absolute value of its Jacobian determinant,
//
//   forward(x, false) = (z = f(x),      log|det df/dx|      at x)
//   forward(z, true)  = (x = f^{-1}(z), log|det df^{-1}/dz| at z)  = -log|det df/dx| at x = f^{-1}(z)
//
// A flow of layers f = f_K o ... o f_1 gives, by the change of variables,
//   log p(x) = log p_Z(f(x)) + sum_k log|det J_{f_k}|.
//
// The log-det is per example, shape (B), or element-wise with the input's
// shape (RealNVP's layers carry it so, as homework 2 does; its sum over the
// non-batch dimensions is the per-example value). Every layer of
// models/flows/ is listed in layer_catalog.h and checked by
// tests/models/flows/test_flow_layers.cpp: inverse(forward(x)) == x, and the
// log-det equals log|det J| of the Jacobian computed with autograd, in float64.
#pragma once
#include "nn/module.h"

namespace dgm::models::flows {

struct FlowOutput {
  Tensor z;        // f(x) (or f^{-1}(z) when inverting)
  Tensor log_det;  // (B) or the input's shape
};

class FlowLayer : public nn::Module {
 public:
  // The course's signature: forward(x, invert) -> (output, log_det).
  virtual FlowOutput forward(const Tensor& x, bool invert) = 0;
  using nn::Module::forward;

  FlowOutput flow(const Tensor& x) { return forward(x, false); }
  FlowOutput inverse(const Tensor& z) { return forward(z, true); }
};

// The log-det per example: (B) as is, anything else summed over its non-batch dimensions.
Tensor log_det_per_example(const Tensor& log_det);

}  // namespace dgm::models::flows
