// The vector field of a neural ODE / FFJORD on points: an MLP on (x, t) whose every layer also sees t
// (FFJORD's "concat" layers), dx/dt = f_theta(t, x):
//   h_0 = x,   h_{k+1} = act(W_k [h_k, t] + b_k),   f = W_L [h_L, t] + b_L
// with a smooth activation (tanh or softplus), since the trace of df/dx and its gradients need second derivatives
// that a ReLU network does not have.
//
//   auto net = std::make_shared<OdeNet>(2, std::vector<int64_t>{64, 64}, "tanh");   // (2+1) -> 64 -> 64 -> 2
//   Tensor dx = net->field(0.3, x);                                                  // x (B, 2) -> (B, 2)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/modules/linear.h"

namespace dgm::models::ode {

class OdeNet : public nn::Module {
 public:
  // dim >= 1, hidden widths (at least one), activation "tanh" or "softplus".
  OdeNet(int64_t dim, std::vector<int64_t> hidden, std::string activation = "tanh");
  std::string name() const override { return "OdeNet"; }
  std::string extra_repr() const override;

  // f(t, x): x (B, dim) -> (B, dim)
  Tensor field(double t, const Tensor& x);
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
  std::vector<int64_t> hidden_;
  std::string activation_;
  std::vector<std::shared_ptr<nn::Linear>> layers_;
};

}  // namespace dgm::models::ode
