// Debug knobs, read once from the environment:
//   DGM_DEBUG=1       log every recorded op (name, output shape, dtype) to stderr
//   DGM_DETECT_NAN=1  after every recorded op and every backward function, throw
//                     a dgm::Error naming the first op whose result has a NaN or Inf
// Both look only at ops recorded by autograd (grad mode on, an input requires grad).
// dump_graph(t) prints the graph behind t, one node per line, inputs indented:
//   mul (3)
//     exp (3)
//       leaf (3)
//     leaf (3)
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace dgm::autograd {

bool debug_log_ops();
bool debug_detect_nan();
// Throws if t has a NaN or Inf: "<what>: produced NaN/Inf in a tensor of shape (..)".
void check_finite(const Tensor& t, const char* what, const char* stage);

// The autograd graph behind t as text; a node reached twice is printed once
// and then referred to as "(see above)".
std::string dump_graph(const Tensor& t);

}  // namespace dgm::autograd
