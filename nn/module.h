// nn::Module: the base of every layer, as torch.nn.Module. A module owns named
// parameters (tensors that require grad), buffers (state that is saved but not
// trained, e.g. BatchNorm's running statistics) and child modules; names nest
// with dots ("encoder.0.weight") in named_parameters() and state_dict().
//
//   auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8),
//                                               std::make_shared<nn::ReLU>(),
//                                               std::make_shared<nn::Linear>(8, 2));
//   Tensor y = net->forward(x);
//   net->eval();                       // recursively: dropout off, batch norm uses running stats
//   nn::StateDict sd = net->state_dict();
//   std::cout << *net;                 // the module tree, as PyTorch's repr
//
// Modules live behind std::shared_ptr. A layer keeps its parameters as Tensor
// members (weight, bias) that are the same handles as the registered ones.
//
// to(dtype) / to(device): PyTorch swaps `param.data`; here the registered
// tensors are converted and the new storage, strides and dtype are written
// into the existing TensorImpl, so every handle to a parameter (the layer's
// member, an optimizer's list) stays valid and now sees the converted data.
// requires_grad is kept; an accumulated gradient is converted the same way.
#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace dgm::nn {

// What load_state_dict(strict=false) skipped, as PyTorch's return value.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;     // in the module, not in the dict
  std::vector<std::string> unexpected_keys;  // in the dict, not in the module
};

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The class name printed by operator<< ("Linear"); extra_repr is what goes
  // inside the parentheses ("in_features=4, out_features=2, bias=True").
  virtual std::string name() const { return "Module"; }
  virtual std::string extra_repr() const { return ""; }

  // The one-tensor forward pass; layers override it (Sequential calls it).
  // Modules whose forward takes other arguments (MultiheadAttention) do not.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // ---- registration ----
  // Stores t (detached if it has a history) under `name` and sets its
  // requires_grad; returns the registered handle. An undefined tensor is not
  // registered (as PyTorch's register_parameter(name, None): absent from
  // parameters() and state_dict()).
  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor t);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  // Replaces a registered child (same name) by another module.
  template <typename M>
  std::shared_ptr<M> replace_module(const std::string& name, std::shared_ptr<M> module) {
    replace_child(name, module);
    return module;
  }

  // ---- traversal (registration order, depth first) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // This module (name "") and all descendants; needs this module to be owned
  // by a std::shared_ptr.
  std::vector<std::shared_ptr<Module>> modules();
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules();

  // ---- mode ----
  // Sets the training flag of this module and every descendant.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Resets every parameter's gradient to undefined (set_to_none=True).
  void zero_grad();

  // Converts floating point parameters and buffers (to(dtype)) or all of them
  // (to(device)) in place; see the note at the top of this file.
  void to(DType dtype);
  void to(Device device);

  // ---- state ----
  // Parameters and buffers by dotted name, detached (they share data with
  // the module, as in PyTorch).
  StateDict state_dict() const;
  // Copies values in place under NoGradGuard (dtypes are converted). Throws
  // dgm::Error naming every shape mismatch (key, expected, got); with strict,
  // also naming missing and unexpected keys.
  LoadStateDictResult load_state_dict(const StateDict& state, bool strict = true);

  // PyTorch's repr: "Name(extra)" or, with children, one "(name): child" per line.
  virtual void pretty_print(std::ostream& os, int indent = 0) const;

 protected:
  bool training_ = true;

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void replace_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const char* what, const std::string& name) const;
  void collect(const std::string& prefix, bool recurse, bool buffers,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

std::ostream& operator<<(std::ostream& os, const Module& module);
std::string to_string(const Module& module);

// Python's spelling of a bool and a float in reprs: "True", "1e-05", "0.1".
std::string py_bool(bool b);
std::string py_float(double v);

}  // namespace dgm::nn
