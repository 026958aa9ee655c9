// Gradient checking as a library feature: compare the gradients autograd
// computes with central finite differences, in float64.
//
//   auto r = dgm::gradcheck([](const std::vector<Tensor>& in) { return (in[0] * in[1]).sum(); }, {a, b});
//   REQUIRE(r.ok);  // otherwise r.message names the worst element
//
// Inputs with requires_grad are checked; they should be float64 and must not
// overlap in memory (build expanded or transposed views inside the function).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm {

struct GradcheckOptions {
  double eps = 1e-6;   // finite difference step
  double atol = 1e-5;  // pass if |analytical - numerical| <= atol + rtol * |numerical|
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  std::string message;       // names the worst element when !ok
  double max_abs_error = 0;  // over all inputs and elements
};

using MultiFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
using SingleFunction = std::function<Tensor(const std::vector<Tensor>&)>;

// First derivatives: the full Jacobian of every output w.r.t. every input.
GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions options = {});
GradcheckResult gradcheck(const SingleFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions options = {});

// Second derivatives: checks the gradient of v -> sum(v * dy/dx) (the
// vector-Jacobian product built with create_graph) w.r.t. the inputs and v,
// for a fixed random v, by gradcheck.
GradcheckResult gradgradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, GradcheckOptions options = {});
GradcheckResult gradgradcheck(const SingleFunction& f, const std::vector<Tensor>& inputs,
                              GradcheckOptions options = {});

}  // namespace dgm
