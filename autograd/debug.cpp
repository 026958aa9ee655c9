#include "autograd/debug.h"

#include <atomic>
#include <cmath>
#include <iostream>
#include <sstream>
#include <unordered_set>

#include "autograd/node.h"
#include "tensor/environment.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/reduce.h"

namespace dgm::autograd {
namespace {
std::atomic<bool>& anomaly_mode() {
  static std::atomic<bool> on{env_flag("DGM_DETECT_NAN")};
  return on;
}

thread_local const Node* current_backward = nullptr;
}  // namespace

bool debug_log_ops() {
  static const bool on = env_flag("DGM_DEBUG");
  return on;
}

bool debug_detect_nan() { return anomaly_mode().load(std::memory_order_relaxed); }

DetectAnomalyGuard::DetectAnomalyGuard(bool enabled) : previous_(anomaly_mode().exchange(enabled)) {}
DetectAnomalyGuard::~DetectAnomalyGuard() { anomaly_mode().store(previous_); }

RunningBackward::RunningBackward(const Node* node) : previous_(current_backward) { current_backward = node; }
RunningBackward::~RunningBackward() { current_backward = previous_; }
const Node* running_backward() { return current_backward; }

std::string describe_backward(const Node& node) {
  std::ostringstream os;
  os << node.name << " backward (of the forward op " << node.name << " -> " << shape_str(node.output_shape) << " "
     << dtype_name(node.output_dtype);
  if (node.recorded_in_backward_of) os << ", itself recorded in " << node.recorded_in_backward_of << " backward";
  os << ")";
  return os.str();
}

// Computed with kernels, not tensor ops, so that checking an op's result
// records nothing and is not itself checked.
void check_finite(const Tensor& t, const std::string& what, const std::string& stage, Allow allow) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return;
  Tensor flat = kernels::copy_to_new(t.detach());
  flat = make_view(flat, {flat.numel()}, {1}, 0);
  // x != x only for NaN; x - x is 0 for a finite x and NaN for NaN or +-Inf
  Tensor probe = allow == Allow::Inf ? flat : kernels::binary(kernels::Binary::Sub, flat, flat);
  Tensor is_bad = kernels::copy_to_new(kernels::binary(kernels::Binary::Ne, probe, probe), kFloat64);
  const bool bad = kernels::reduce(kernels::Reduce::Sum, is_bad, {0}, false).item<double>() > 0;
  DGM_CHECK(!bad, what, ": produced ", allow == Allow::Inf ? "NaN" : "NaN/Inf", " in ", stage, " (a tensor of shape ",
            shape_str(t.shape()), ", ", dtype_name(t.dtype()), ")");
}

namespace {
void dump_node(std::ostream& os, const Node* node, int depth, std::unordered_set<const Node*>& seen) {
  std::string indent(2 * depth, ' ');
  os << indent << node->name << " " << shape_str(node->output_shape);
  if (!seen.insert(node).second) {
    os << " (see above)\n";
    return;
  }
  os << "\n";
  for (const Edge& e : node->inputs) {
    if (e.node)
      dump_node(os, e.node.get(), depth + 1, seen);
    else if (e.leaf)
      os << indent << "  leaf " << shape_str(e.leaf->shape) << "\n";
    else
      os << indent << "  (no grad)\n";
  }
}
}  // namespace

std::string dump_graph(const Tensor& t) {
  std::ostringstream os;
  if (!t.defined()) return "undefined\n";
  if (!t.grad_fn()) {
    os << (t.requires_grad() ? "leaf " : "constant ") << shape_str(t.shape()) << "\n";
    return os.str();
  }
  std::unordered_set<const Node*> seen;
  dump_node(os, t.grad_fn().get(), 0, seen);
  return os.str();
}

}  // namespace dgm::autograd
