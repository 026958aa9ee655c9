#include "autograd/node.h"

#include <iostream>

#include "autograd/debug.h"

namespace dgm::autograd {

const char* node_name(const Node& node) { return node.name; }

Edge edge_of(const Tensor& input) {
  if (!input.defined() || !input.requires_grad()) return {};
  if (input.grad_fn()) return {input.grad_fn(), nullptr};
  return {nullptr, input.impl_ptr()};
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

namespace {
// The anomaly-mode check of an op's result, run for every op that goes through
// record (grad on or off). Ops inside a backward function are not checked one
// by one: a backward may make a NaN on purpose and mask it (pow's a^b log a at
// a = 0, dropped by where); the engine checks the gradients it returns,
// naming the node and its forward op, as torch.autograd.detect_anomaly does.
void check_result(const char* name, const Tensor& out) {
  if (!running_backward()) check_finite(out, name, "forward", Allow::Inf);
}

// The versions of the tensors the backward will read (see Saves), to be
// compared by the engine before it runs (autograd/engine.cpp).
std::vector<SavedVersion> saved_versions(const Tensor& out, const std::vector<Tensor>& inputs, Saves saves) {
  std::vector<SavedVersion> saved;
  auto save = [&](int index, const Tensor& t) {
    if (t.defined()) saved.push_back({index, t.impl()->storage, t._version(), t.shape()});
  };
  const bool reads_inputs = saves == Saves::Inputs || saves == Saves::InputsAndOutput;
  for (size_t i = 0; i < inputs.size(); ++i) {
    // A product's gradient reads input i only for the other input's gradient.
    const bool other_wants_grad = inputs.size() == 2 && inputs[1 - i].defined() && inputs[1 - i].requires_grad();
    if (reads_inputs || (saves == Saves::OtherInput && other_wants_grad)) save(static_cast<int>(i), inputs[i]);
  }
  if (saves == Saves::Output || saves == Saves::InputsAndOutput) save(-1, out);
  return saved;
}
}  // namespace

Tensor also_reads(Tensor out, const char* what, const Tensor& t) {
  if (out.grad_fn() && t.defined())
    out.grad_fn()->saved.push_back({-2, t.impl()->storage, t._version(), t.shape(), what});
  return out;
}

Tensor record_impl(const char* name, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward, Saves saves) {
  if (debug_detect_nan()) check_result(name, out);
  if (!any_requires_grad(inputs)) return out;
  DGM_CHECK(out.is_floating_point(), name, ": only floating point outputs can require grad, got ",
            dtype_name(out.dtype()));
  auto node = std::make_shared<Node>();
  node->name = name;
  node->inputs.reserve(inputs.size());
  for (const Tensor& t : inputs) node->inputs.push_back(edge_of(t));
  node->backward = std::move(backward);
  node->output = out.impl_ptr();
  node->output_shape = out.shape();
  node->output_dtype = out.dtype();
  node->saved = saved_versions(out, inputs, saves);
  if (const Node* running = running_backward()) node->recorded_in_backward_of = running->name;
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
  if (debug_log_ops())
    std::cerr << "[dgm] " << name << " -> " << shape_str(out.shape()) << " " << dtype_name(out.dtype()) << "\n";
  return out;
}

}  // namespace dgm::autograd
