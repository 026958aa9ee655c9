// A state dict: every parameter and buffer of a module (or every state tensor
// of an optimizer) by its dotted name, as PyTorch's state_dict(). Keys are
// sorted, which is also the order safetensors files store them in.
#pragma once
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace dgm::nn {

using StateDict = std::map<std::string, Tensor>;

// The entries of `dict` whose key starts with `prefix`, with the prefix removed:
// with_prefix_removed({"model.w": a, "ema.x": b}, "model.") == {"w": a}.
inline StateDict with_prefix_removed(const StateDict& dict, const std::string& prefix) {
  StateDict out;
  for (const auto& [key, t] : dict)
    if (key.rfind(prefix, 0) == 0) out[key.substr(prefix.size())] = t;
  return out;
}

}  // namespace dgm::nn
