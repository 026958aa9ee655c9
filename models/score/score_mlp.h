// The score network of homework 4 task 2 ("a sequence of Linear layers with activations"): an MLP from points
// (B, D) to vectors (B, D), Linear(D, h1), SiLU, ..., Linear(h_k, D). SiLU keeps
// the learned score field smooth; a ReLU network's is piecewise linear.
//
//   auto net = score_mlp(2, {128, 128});   // 2 -> 128 -> 128 -> 2
#pragma once
#include <memory>
#include <vector>

#include "nn/modules/container.h"

namespace dgm::models::score {

std::shared_ptr<nn::Sequential> score_mlp(int64_t dim, const std::vector<int64_t>& hidden);

}  // namespace dgm::models::score
