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

Tensor record_impl(const char* name, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward) {
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
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
  if (debug_log_ops())
    std::cerr << "[dgm] " << name << " -> " << shape_str(out.shape()) << " " << dtype_name(out.dtype()) << "\n";
  if (debug_detect_nan()) check_finite(out, name, "forward");
  return out;
}

}  // namespace dgm::autograd
