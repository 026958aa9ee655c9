#include "nn/module.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace dgm::nn {

Tensor Module::forward(const Tensor&) { DGM_FAIL(name(), ": this module has no forward(const Tensor&)"); }

// ---- registration ----

void Module::check_new_name(const char* what, const std::string& name) const {
  DGM_CHECK(!name.empty(), this->name(), ".", what, ": the name must not be empty");
  DGM_CHECK(name.find('.') == std::string::npos, this->name(), ".", what, ": the name \"", name,
            "\" must not contain \".\"");
  auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& kv) { return kv.first == name; });
  };
  DGM_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), this->name(), ".", what, ": \"", name,
            "\" is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name("register_parameter", name);
  if (!t.defined()) return t;
  DGM_CHECK(!requires_grad || t.is_floating_point(), this->name(), ".register_parameter: \"", name,
            "\" must be floating point to require grad, got ", dtype_name(t.dtype()));
  if (!t.is_leaf()) t = t.detach();
  t.requires_grad_(requires_grad);
  parameters_.emplace_back(name, t);
  return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
  check_new_name("register_buffer", name);
  if (!t.defined()) return t;
  if (!t.is_leaf()) t = t.detach();
  buffers_.emplace_back(name, t);
  return t;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name("register_module", name);
  DGM_CHECK(module != nullptr, this->name(), ".register_module: \"", name, "\" is a null module");
  children_.emplace_back(name, std::move(module));
}

void Module::replace_child(const std::string& name, std::shared_ptr<Module> module) {
  DGM_CHECK(module != nullptr, this->name(), ".replace_module: \"", name, "\" is a null module");
  for (auto& kv : children_)
    if (kv.first == name) {
      kv.second = std::move(module);
      return;
    }
  DGM_FAIL(this->name(), ".replace_module: no child named \"", name, "\"");
}

// ---- traversal ----

void Module::collect(const std::string& prefix, bool recurse, bool buffers,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [n, t] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + n, t);
  if (!recurse) return;
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", true, buffers, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, false, out);
  // A tensor registered twice (shared weights) is listed once, as PyTorch.
  std::vector<std::pair<std::string, Tensor>> unique;
  std::set<TensorImpl*> seen;
  for (auto& kv : out)
    if (seen.insert(kv.second.impl()).second) unique.push_back(std::move(kv));
  return unique;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& kv : named_parameters(recurse)) out.push_back(kv.second);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& kv : named_buffers(recurse)) out.push_back(kv.second);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& kv : children_) out.push_back(kv.second);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() {
  std::shared_ptr<Module> self = weak_from_this().lock();
  DGM_CHECK(self != nullptr, name(), ".modules: the module must be owned by a std::shared_ptr");
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out{{"", self}};
  for (const auto& [n, child] : children_)
    for (auto& [sub, m] : child->named_modules()) out.emplace_back(sub.empty() ? n : n + "." + sub, m);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules() {
  std::vector<std::shared_ptr<Module>> out;
  for (auto& kv : named_modules()) out.push_back(kv.second);
  return out;
}

// ---- mode, gradients, conversion ----

void Module::train(bool on) {
  training_ = on;
  for (auto& kv : children_) kv.second->train(on);
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.set_grad(Tensor());
}

namespace {

// Points t's TensorImpl at src's data (PyTorch's `t.data = src`): every handle
// to t sees the new storage, geometry and dtype; autograd flags are kept.
void set_data(const Tensor& t, const Tensor& src) {
  TensorImpl* impl = t.impl();
  impl->storage = src.impl()->storage;
  impl->shape = src.shape();
  impl->strides = src.strides();
  impl->offset = src.storage_offset();
  impl->dtype = src.dtype();
}

template <typename Convert>
void convert_all(Module& m, Convert convert, bool floating_only) {
  NoGradGuard no_grad;
  for (const Tensor& t : m.parameters()) {
    if (floating_only && !t.is_floating_point()) continue;
    set_data(t, convert(t.detach()));
    Tensor g = t.grad();
    if (g.defined()) t.set_grad(convert(g));
  }
  for (const Tensor& t : m.buffers()) {
    if (floating_only && !t.is_floating_point()) continue;
    set_data(t, convert(t.detach()));
  }
}

}  // namespace

void Module::to(DType dtype) {
  DGM_CHECK(is_floating(dtype), name(), ".to: only floating point dtypes are allowed, got ", dtype_name(dtype));
  convert_all(
      *this, [dtype](const Tensor& t) { return t.to(dtype); }, /*floating_only=*/true);
}

void Module::to(Device device) {
  convert_all(
      *this, [device](const Tensor& t) { return t.to(device); }, /*floating_only=*/false);
}

// ---- state ----

StateDict Module::state_dict() const {
  StateDict out;
  for (auto& [n, t] : named_parameters()) out[n] = t.detach();
  for (auto& [n, t] : named_buffers()) out[n] = t.detach();
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& state, bool strict) {
  std::vector<std::pair<std::string, Tensor>> own = named_parameters();
  for (auto& kv : named_buffers()) own.push_back(kv);
  LoadStateDictResult result;
  std::vector<std::string> mismatches;
  std::set<std::string> own_keys;
  for (const auto& [key, t] : own) {
    own_keys.insert(key);
    auto it = state.find(key);
    if (it == state.end()) {
      result.missing_keys.push_back(key);
      continue;
    }
    DGM_CHECK(it->second.defined(), name(), ".load_state_dict: \"", key, "\" is an undefined tensor");
    if (it->second.shape() != t.shape())
      mismatches.push_back("size mismatch for " + key + ": expected shape " + shape_str(t.shape()) + ", got " +
                           shape_str(it->second.shape()));
  }
  for (const auto& kv : state)
    if (!own_keys.count(kv.first)) result.unexpected_keys.push_back(kv.first);

  std::ostringstream err;
  auto list = [&](const char* what, const std::vector<std::string>& keys) {
    if (keys.empty()) return;
    err << "\n  " << what << ": ";
    for (size_t i = 0; i < keys.size(); ++i) err << (i ? ", " : "") << '"' << keys[i] << '"';
  };
  if (strict) {
    list("missing keys", result.missing_keys);
    list("unexpected keys", result.unexpected_keys);
  }
  for (const auto& m : mismatches) err << "\n  " << m;
  DGM_CHECK(err.str().empty(), name(), ".load_state_dict: error(s) in loading the state dict:", err.str());

  NoGradGuard no_grad;
  for (auto& [key, t] : own) {
    auto it = state.find(key);
    if (it != state.end()) {
      Tensor dst = t;
      dst.copy_(it->second);
    }
  }
  return result;
}

// ---- printing ----

void Module::pretty_print(std::ostream& os, int indent) const {
  os << name() << "(";
  std::string extra = extra_repr();
  if (children_.empty()) {
    os << extra << ")";
    return;
  }
  std::string pad(indent + 2, ' ');
  if (!extra.empty()) os << "\n" << pad << extra;
  for (const auto& [n, child] : children_) {
    os << "\n" << pad << "(" << n << "): ";
    child->pretty_print(os, indent + 2);
  }
  os << "\n" << std::string(indent, ' ') << ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) {
  module.pretty_print(os);
  return os;
}

std::string to_string(const Module& module) {
  std::ostringstream os;
  os << module;
  return os.str();
}

std::string py_bool(bool b) { return b ? "True" : "False"; }

// The shortest %g spelling that reads back as v, with ".0" for whole numbers (Python's repr).
std::string py_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s(buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace dgm::nn
