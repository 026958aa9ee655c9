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

// Which tensors a backward function reads the values of (besides the
// gradient), so that the engine can refuse to run it once one of them was
// modified in place (the rule: autograd/engine.cpp). Inputs is the default;
// say less only when the backward reads less.
enum class Saves {
  Inputs,           // every input: exp, log, div, ...
  OtherInput,       // a product: the gradient of each input reads only the other (mul, matmul)
  Output,           // only the op's output (cholesky's L, inv's A^-1)
  InputsAndOutput,  // both
  Nothing,          // only shapes: add, sub, neg, views, reshape, expand, cat, sum, ...
};

// A tensor a backward reads and the version of its storage when the op was recorded.
struct SavedVersion {
  int input;  // its index among the node's inputs, or -1 for the op's output
  std::weak_ptr<Storage> storage;
  uint64_t version;
  Shape shape;
  const char* what = nullptr;  // a tensor that is not an input (also_reads): "index", "indices", ...
};

struct Node {
  const char* name = "";
  std::vector<Edge> inputs;
  BackwardFn backward;               // released after use unless retain_graph
  std::weak_ptr<TensorImpl> output;  // to fill output.grad() for retain_grad()
  Shape output_shape;
  DType output_dtype = kFloat32;
  std::vector<SavedVersion> saved;                // what `backward` reads, checked before it runs
  const char* recorded_in_backward_of = nullptr;  // the node whose backward made this one (create_graph)
};

// The edge an input tensor contributes to a new node (inactive if it needs no grad).
Edge edge_of(const Tensor& input);

// Makes `out` the output of a differentiable op with the given inputs when grad
// mode is on and any input requires grad; otherwise returns `out` unchanged.
// `backward` takes (grad_output) or (grad_output, needs) and returns one
// gradient per input, in order; `saves` says which tensors it reads.
Tensor record_impl(const char* name, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward,
                   Saves saves = Saves::Inputs);

template <typename F>
Tensor record(const char* name, Tensor out, const std::vector<Tensor>& inputs, F&& backward,
              Saves saves = Saves::Inputs) {
  if constexpr (std::is_invocable_v<F, const Tensor&, const NeedsGrad&>) {
    return record_impl(name, std::move(out), inputs, BackwardFn(std::forward<F>(backward)), saves);
  } else {
    return record_impl(
        name, std::move(out), inputs,
        [fn = std::forward<F>(backward)](const Tensor& g, const NeedsGrad&) { return fn(g); }, saves);
  }
}

// The backward of the op that just made `out` also reads `t`, a tensor that is
// not one of its inputs (an index, a mask, another output of the op): its
// version is checked too, named `what` in the error. Returns `out`.
Tensor also_reads(Tensor out, const char* what, const Tensor& t);

// True when an op on these inputs would be recorded.
bool any_requires_grad(const std::vector<Tensor>& inputs);

}  // namespace dgm::autograd
