// Whether tensors hold only finite numbers: what the trainer checks before it
// trusts a step (the gradients) or writes a checkpoint (the parameters).
#pragma once
#include <string>
#include <vector>

#include "tensor/error.h"
#include "tensor/tensor.h"

namespace dgm::models::train {

// Training went to NaN or infinity: a loss or a gradient is not finite. The
// trainer stops the run with it and writes no checkpoint of the spoilt state.
class Diverged : public Error {
 public:
  explicit Diverged(const std::string& message) : Error(message) {}
};

// sum(t - t) is exactly 0 when every element is finite and NaN otherwise
// (inf - inf = NaN and NaN propagates): one reduction and one read per tensor,
// made with kernels, so anomaly mode does not throw first. Tensors that are
// not floating point or undefined count as finite.
bool all_finite(const Tensor& t);
// Whether every gradient of `params` is finite, with one read back for all of them.
bool gradients_finite(const std::vector<Tensor>& params);
// The name of the first tensor of `named` with a non-finite element, or "" when all are finite.
std::string first_non_finite(const std::vector<std::pair<std::string, Tensor>>& named);

}  // namespace dgm::models::train
