// A state dict: every parameter and buffer of a module (or every state tensor
// of an optimizer) by its dotted name, as PyTorch's state_dict(). Keys are
// sorted, which is also the order safetensors files store them in.
#pragma once
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace dgm::nn {

using StateDict = std::map<std::string, Tensor>;

}  // namespace dgm::nn
