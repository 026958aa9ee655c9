// Debug knobs:
//   DGM_DEBUG=1       log every recorded op (name, output shape, dtype) to stderr
//   DGM_DETECT_NAN=1  anomaly mode (torch.autograd.detect_anomaly) from the start;
//                     DetectAnomalyGuard switches it on for a scope at run time.
// In anomaly mode a dgm::Error names the first op whose result has a NaN (forward)
// or a NaN or Inf (backward, gradients, optimizer steps):
//   - every op that goes through autograd::record, with grad on or off (training
//     and evaluation), outside backward functions (a backward may mask a NaN it
//     made itself, as pow's at 0; what it returns is checked below);
//   - every gradient a backward function returns, naming the node and its input;
//   - every parameter an optimizer step updated (nn/optim/optimizer.cpp).
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
// Whether anomaly mode is on (DGM_DETECT_NAN or a live DetectAnomalyGuard).
bool debug_detect_nan();
// Throws if t has a NaN or Inf: "<what>: produced NaN/Inf in <stage> (a tensor of shape (..), dtype)".
// Allow::Inf lets +-Inf through and stops only at NaN: an op's forward result may
// be -inf on purpose (attention masks filled with -inf, log(0) of a zero
// probability), as in torch.autograd.detect_anomaly, which checks only for NaN.
enum class Allow { Nothing, Inf };
void check_finite(const Tensor& t, const std::string& what, const std::string& stage, Allow allow = Allow::Nothing);

// RAII: anomaly mode on (or off) while it lives, for every thread.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool enabled = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

// RAII, used by the engine: `node`'s backward function runs on this thread
// while it lives, so that anomaly messages and nodes recorded meanwhile
// (create_graph) can name it. running_backward(): that node, or null.
struct Node;
class RunningBackward {
 public:
  explicit RunningBackward(const Node* node);
  ~RunningBackward();
  RunningBackward(const RunningBackward&) = delete;
  RunningBackward& operator=(const RunningBackward&) = delete;

 private:
  const Node* previous_;
};
const Node* running_backward();

// "log backward (of the forward op log -> (2) float32)": a node, for messages.
std::string describe_backward(const Node& node);

// The autograd graph behind t as text; a node reached twice is printed once
// and then referred to as "(see above)".
std::string dump_graph(const Tensor& t);

}  // namespace dgm::autograd
