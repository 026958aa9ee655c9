// The engine runs backward functions in reverse topological order: a node runs
// once the gradients from every consumer of its output have been summed.
// A pass (run, at the end) reads in three named steps:
//   order       which nodes run, and when (Schedule: useful nodes, dependency counts)
//   accumulate  gradients summed into each node's pending gradient, into leaf .grad
//               or into grad()'s results (seed, observe, accumulate_into_inputs)
//   release     a node's saved tensors freed once it has run, unless retain_graph
//
// Saved versions (check_saved_versions), as PyTorch's version counters: every
// Storage counts the in-place writes into it (shared by all its views and by
// detach()); the kernel front doors that write into an existing tensor
// (kernels::copy, fill, scatter_, adam_step_: behind every in-place op and
// every optimizer step) bump it. When an op is recorded, the versions of the
// tensors its backward reads (autograd::Saves) are kept in its node; before the
// node's backward runs they must be unchanged, else its gradient would be
// computed from values the forward never saw and a dgm::Error says which.
#include "autograd/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/debug.h"
#include "autograd/node.h"
#include "tensor/factories.h"
#include "tensor/profiler.h"

namespace dgm::autograd {
namespace {

// What one backward pass is asked for.
struct Task {
  bool accumulate_into_leaves;  // backward(): leaf.grad += ...; grad(): capture instead
  bool retain_graph;
  bool create_graph;
  std::unordered_map<const Node*, size_t> wanted_nodes;         // grad(): non-leaf inputs
  std::unordered_map<const TensorImpl*, size_t> wanted_leaves;  // grad(): leaf inputs
  std::vector<Tensor> captured;                                 // grad(): one per input
};

// ---- order: which nodes run, and when ----

// The part of the graph a pass runs: the nodes reachable from the roots that
// lead to something wanted (`useful`), and for each the number of useful
// consumers whose gradient it still waits for (`dependencies`). A node runs
// when its count drops to 0, which gives a reverse topological order.
struct Schedule {
  std::unordered_map<const Node*, int> dependencies;
  std::unordered_set<const Node*> useful;
};

// Whether a gradient sent along e reaches something wanted.
bool edge_useful(const Edge& e, const Task& task, const Schedule& schedule) {
  if (e.node) return schedule.useful.count(e.node.get()) > 0;
  if (e.leaf) return task.accumulate_into_leaves || task.wanted_leaves.count(e.leaf.get()) > 0;
  return false;
}

// Marks the useful nodes (post-order DFS from the roots: a node is useful if it
// is wanted or one of its input edges is), then counts each one's consumers.
Schedule order(const std::vector<Node*>& roots, const Task& task) {
  Schedule schedule;
  std::unordered_set<const Node*> visited;
  std::vector<std::pair<Node*, size_t>> stack;
  for (Node* r : roots) {
    if (!r || visited.count(r)) continue;
    visited.insert(r);
    stack.push_back({r, 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        Node* child = node->inputs[next++].node.get();
        if (child && !visited.count(child)) {
          visited.insert(child);
          stack.push_back({child, 0});
        }
        continue;
      }
      bool useful = task.wanted_nodes.count(node) > 0;
      for (const Edge& e : node->inputs) useful = useful || edge_useful(e, task, schedule);
      if (useful) schedule.useful.insert(node);
      stack.pop_back();
    }
  }
  for (const Node* n : schedule.useful)
    for (const Edge& e : n->inputs)
      if (e.node && schedule.useful.count(e.node.get())) schedule.dependencies[e.node.get()]++;
  return schedule;
}

// The roots that wait for no other node: where the pass starts (each once).
std::vector<Node*> first_ready(const std::vector<Node*>& roots, Schedule& schedule) {
  std::vector<Node*> ready;
  for (Node* r : roots)
    if (schedule.useful.count(r) && schedule.dependencies[r] == 0 &&
        std::find(ready.begin(), ready.end(), r) == ready.end())
      ready.push_back(r);
  return ready;
}

// Which of node's inputs want a gradient: those whose edge is useful.
NeedsGrad needs_of(const Node* node, const Task& task, const Schedule& schedule) {
  NeedsGrad needs(node->inputs.size());
  for (size_t i = 0; i < needs.size(); ++i) needs[i] = edge_useful(node->inputs[i], task, schedule);
  return needs;
}

// ---- accumulate: where gradients go ----

// sum + g, where an undefined sum is 0.
Tensor accumulate(const Tensor& sum, const Tensor& g) { return sum.defined() ? sum + g : g; }

// Adds g into t.grad(). The first gradient is stored as is only when it is
// contiguous and no other tensor can see its memory (may_steal and sole owner);
// otherwise as a contiguous copy, so that an in-place update of one .grad
// (zero_, an optimizer step) never writes into another tensor's gradient, into
// the caller's grad_outputs, or through an expanded (stride 0) view.
void accumulate_grad(const Tensor& t, const Tensor& g, bool create_graph, bool may_steal) {
  // Counted before detach(), which makes one more handle on the same storage.
  const bool sole_owner =
      may_steal && g.is_contiguous() && g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1;
  Tensor g_ = create_graph ? g : g.detach();
  if (t.grad().defined()) {
    t.set_grad(t.grad() + g_);
    return;
  }
  t.set_grad(sole_owner ? g_ : g_.clone());
}

// The summed gradient of each node's output, until the node runs.
using PendingGrads = std::unordered_map<const Node*, Tensor>;

// Gives a leaf its gradient: leaf.grad += g for backward(), the captured
// result for grad() when the leaf is one of its inputs, nothing otherwise.
void accumulate_into_leaf(const Tensor& leaf, const Tensor& g, Task& task) {
  if (task.accumulate_into_leaves) {
    accumulate_grad(leaf, g, task.create_graph, /*may_steal=*/true);
  } else if (auto it = task.wanted_leaves.find(leaf.impl()); it != task.wanted_leaves.end()) {
    task.captured[it->second] = accumulate(task.captured[it->second], g);
  }
}

// Starts the pass: checks each output against its gradient (1 for a scalar
// output given none), sends it to the output's node, or straight to the
// output when it is a leaf (d out / d out = g). Returns the nodes reached.
std::vector<Node*> seed(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, Task& task,
                        PendingGrads& grads) {
  DGM_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), "backward: got ", outputs.size(),
            " outputs but ", grad_outputs.size(), " gradients");
  std::vector<Node*> roots;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    DGM_CHECK(out.defined() && out.requires_grad(), "backward: output ", i,
              " does not require grad and has no grad_fn (was it computed under NoGradGuard or from tensors "
              "without requires_grad?)");
    Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!g.defined()) {
      DGM_CHECK(out.numel() == 1, "backward: grad can be implicitly created only for scalar outputs, got shape ",
                shape_str(out.shape()));
      g = ones_like(out);
    }
    DGM_CHECK(g.shape() == out.shape(), "backward: gradient of shape ", shape_str(g.shape()),
              " given for an output of shape ", shape_str(out.shape()));
    if (out.is_leaf()) {
      accumulate_into_leaf(out, g, task);
      continue;
    }
    Node* n = out.grad_fn().get();
    grads[n] = accumulate(grads[n], g);
    roots.push_back(n);
  }
  return roots;
}

// A node's summed output gradient, now complete, to those who asked to see
// it: the output's .grad after retain_grad(), and grad() when the output is
// one of its inputs.
void observe(Node* node, const Tensor& g, Task& task) {
  if (auto out = node->output.lock(); out && out->retains_grad) {
    accumulate_grad(Tensor(out), g, task.create_graph, /*may_steal=*/false);  // g flows on below
  }
  if (auto it = task.wanted_nodes.find(node); it != task.wanted_nodes.end())
    task.captured[it->second] = accumulate(task.captured[it->second], g);
}

// Refuses to run a backward that would read a tensor modified in place since
// the op was recorded (see the top of this file).
void check_saved_versions(const Node* node) {
  for (const SavedVersion& s : node->saved) {
    std::shared_ptr<Storage> storage = s.storage.lock();
    if (!storage) continue;  // freed: nothing can read it
    const uint64_t now = storage->version.load(std::memory_order_relaxed);
    if (now == s.version) continue;
    const std::string which = s.what          ? std::string("its ") + s.what
                              : s.input == -1 ? std::string("its output")
                                              : "input " + std::to_string(s.input);
    DGM_FAIL(node->name, " backward: ", which, " of shape ", shape_str(s.shape), " was modified in place after ",
             node->name, " used it (version ", now, ", saved at version ", s.version,
             "); compute it again or clone() it before the in-place edit");
  }
}

// Runs node's backward function on its output gradient g: one gradient per
// input (undefined where needs[i] is false or the input gets none).
std::vector<Tensor> call_backward(Node* node, const Tensor& g, const NeedsGrad& needs) {
  DGM_CHECK(node->backward, "backward: trying to backward through the graph a second time (through ", node->name,
            "); its saved tensors were freed. Pass retain_graph=true to the first backward.");
  check_saved_versions(node);
  RunningBackward running(node);
  std::vector<Tensor> input_grads;
  {
    profiler::NodeScope scope(node->name);  // the "autograd backward by node" table
    input_grads = node->backward(g, needs);
  }
  DGM_CHECK(input_grads.size() == node->inputs.size(), "backward of ", node->name, " returned ", input_grads.size(),
            " gradients for ", node->inputs.size(), " inputs");
  return input_grads;
}

// Sends each input gradient along its edge: summed into the producing node's
// pending gradient (the node becomes ready once its last consumer has run) or
// into a leaf. Shapes are checked against the inputs'.
void accumulate_into_inputs(Node* node, const std::vector<Tensor>& input_grads, const NeedsGrad& needs, Task& task,
                            Schedule& schedule, PendingGrads& grads, std::vector<Node*>& ready) {
  for (size_t i = 0; i < node->inputs.size(); ++i) {
    const Edge& e = node->inputs[i];
    const Tensor& gi = input_grads[i];
    if (!needs[i]) continue;
    if (e.node) {
      if (gi.defined()) {
        DGM_CHECK(gi.shape() == e.node->output_shape, "backward of ", node->name, ": gradient for input ", i,
                  " has shape ", shape_str(gi.shape()), " but the input has shape ", shape_str(e.node->output_shape));
        grads[e.node.get()] = accumulate(grads[e.node.get()], gi);
      }
      if (--schedule.dependencies[e.node.get()] == 0) ready.push_back(e.node.get());
    } else if (e.leaf && gi.defined()) {
      DGM_CHECK(gi.shape() == e.leaf->shape, "backward of ", node->name, ": gradient for input ", i, " has shape ",
                shape_str(gi.shape()), " but the input has shape ", shape_str(e.leaf->shape));
      accumulate_into_leaf(Tensor(e.leaf), gi, task);
    }
  }
}

// ---- release: what a pass frees ----

// Drops the node's backward function, and with it the tensors it saved,
// unless the graph is to be run again (retain_graph).
void release(Node* node, const Task& task) {
  if (task.retain_graph) return;
  node->backward = nullptr;
  node->saved.clear();
}

// ---- the pass ----

// seed -> order -> for each ready node: observe, call_backward, release,
// accumulate_into_inputs. Backward functions run in grad mode only with
// create_graph, so that only then do they record a graph of their own.
void run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, Task& task) {
  PendingGrads grads;
  const std::vector<Node*> roots = seed(outputs, grad_outputs, task, grads);
  Schedule schedule = order(roots, task);
  std::vector<Node*> ready = first_ready(roots, schedule);

  AutoGradMode grad_mode(task.create_graph);
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    Tensor g = std::move(grads[node]);
    grads.erase(node);
    observe(node, g, task);

    const NeedsGrad needs = needs_of(node, task, schedule);
    std::vector<Tensor> input_grads = call_backward(node, g, needs);
    release(node, task);
    if (debug_detect_nan())
      for (size_t i = 0; i < input_grads.size(); ++i)
        check_finite(input_grads[i], describe_backward(*node), "its gradient for input " + std::to_string(i));
    accumulate_into_inputs(node, input_grads, needs, task, schedule, grads, ready);
  }
}

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph,
              bool create_graph) {
  Task task{true, retain_graph || create_graph, create_graph, {}, {}, {}};
  run(outputs, grad_outputs, task);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph,
                         bool allow_unused) {
  Task task{false, retain_graph || create_graph, create_graph, {}, {}, std::vector<Tensor>(inputs.size())};
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    DGM_CHECK(x.defined() && x.requires_grad(), "autograd::grad: input ", i, " does not require grad");
    if (x.grad_fn())
      task.wanted_nodes[x.grad_fn().get()] = i;
    else
      task.wanted_leaves[x.impl()] = i;
  }
  run(outputs, grad_outputs, task);
  for (size_t i = 0; i < inputs.size(); ++i) {
    DGM_CHECK(allow_unused || task.captured[i].defined(), "autograd::grad: input ", i,
              " was not used to compute the outputs (pass allow_unused=true to get an undefined tensor)");
    if (task.captured[i].defined() && !create_graph) task.captured[i] = task.captured[i].detach();
  }
  return task.captured;
}

}  // namespace dgm::autograd

namespace dgm {

// x.backward(g): declared with the rest of Tensor in tensor/tensor.h, defined
// here so that tensor/ does not depend on the engine.
void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{}, retain_graph,
                     create_graph);
}

}  // namespace dgm
