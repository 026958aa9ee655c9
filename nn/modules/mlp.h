// A multilayer perceptron as a Sequential: Linear(w0, w1), ReLU, Linear(w1, w2), ..., Linear(w_{n-2}, w_{n-1}),
// with no activation after the last layer (torchvision.ops.MLP's layout without norms or dropout). Children are
// named "0", "1", ... as any Sequential's, so the state dict reads 0.weight, 0.bias, 2.weight, ...
//
//   auto encoder = nn::mlp({784, 512, 512, 2 * latent});   // 784 -> 512 -> 512 -> 2 latent
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/modules/container.h"

namespace dgm::nn {

// widths: the input width, the hidden widths, the output width (at least two entries, all positive).
std::shared_ptr<Sequential> mlp(const std::vector<int64_t>& widths);

}  // namespace dgm::nn
