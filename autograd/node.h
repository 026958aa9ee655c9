// The autograd graph. Every tensor made by a differentiable op while grad mode
// is on points (grad_fn) at a Node: the op's name, one Edge per input, and the
// op's backward function, which maps the gradient of the output to one
// gradient per input (the vector-Jacobian product).
//
// Backward functions are written with ordinary differentiable tensor ops, so
// running them with grad mode on records a graph of the backward pass too:
// that is all create_graph=true needs for second derivatives.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/grad_mode.h"
#include "tensor/tensor.h"

namespace dgm::autograd {

struct Node;

// Where an input's gradient goes: the Node that made it, or, for a leaf that
// requires grad, the leaf itself (the gradient is accumulated into leaf->grad).
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  bool active() const { return node || leaf; }
};

// needs[i]: whether input i wants a gradient; a backward function may skip
// (return an undefined Tensor for) the others.
using NeedsGrad = std::vector<bool>;
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output, const NeedsGrad& needs)>;

struct Node {
  const char* name = "";
  std::vector<Edge> inputs;
  BackwardFn backward;               // released after use unless retain_graph
  std::weak_ptr<TensorImpl> output;  // to fill output.grad() for retain_grad()
  Shape output_shape;
  DType output_dtype = kFloat32;
};

// The edge an input tensor contributes to a new node (inactive if it needs no grad).
Edge edge_of(const Tensor& input);

// Makes `out` the output of a differentiable op with the given inputs when grad
// mode is on and any input requires grad; otherwise returns `out` unchanged.
// `backward` takes (grad_output) or (grad_output, needs) and returns one
// gradient per input, in order.
Tensor record_impl(const char* name, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward);

template <typename F>
Tensor record(const char* name, Tensor out, const std::vector<Tensor>& inputs, F&& backward) {
  if constexpr (std::is_invocable_v<F, const Tensor&, const NeedsGrad&>) {
    return record_impl(name, std::move(out), inputs, BackwardFn(std::forward<F>(backward)));
  } else {
    return record_impl(name, std::move(out), inputs,
                       [fn = std::forward<F>(backward)](const Tensor& g, const NeedsGrad&) { return fn(g); });
  }
}

// True when an op on these inputs would be recorded.
bool any_requires_grad(const std::vector<Tensor>& inputs);

}  // namespace dgm::autograd
