// The backward pass: reverse-mode differentiation over the recorded graph.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm::autograd {

// Accumulates d(outputs)/d(leaf) into every leaf's grad(). grad_outputs may be
// empty for scalar outputs (a gradient of 1 is used).
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

// Returns d(outputs)/d(inputs) without touching any grad(). Inputs may be
// leaves or intermediate tensors. With create_graph the results are themselves
// differentiable (second derivatives). allow_unused: an input the outputs do
// not depend on gets an undefined Tensor instead of an error.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace dgm::autograd
