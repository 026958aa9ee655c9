#include "autograd/debug.h"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"

namespace dgm::autograd {
namespace {
bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}
}  // namespace

bool debug_log_ops() {
  static const bool on = env_flag("DGM_DEBUG");
  return on;
}

bool debug_detect_nan() {
  static const bool on = env_flag("DGM_DETECT_NAN");
  return on;
}

void check_finite(const Tensor& t, const char* what, const char* stage) {
  if (!t.defined() || !t.is_floating_point()) return;
  NoGradGuard no_grad;
  Tensor d = t.detach();
  // x - x is NaN exactly when x is NaN or +-Inf
  bool bad = (d - d).ne(0.0).any().item<bool>();
  DGM_CHECK(!bad, what, ": produced NaN/Inf in ", stage, " (a tensor of shape ", shape_str(t.shape()), ", ",
            dtype_name(t.dtype()), ")");
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
