// MADE: Masked Autoencoder for Distribution Estimation (Germain et al. 2015),
// the conditioner of MAF and IAF (the course's supplementary deck). A fully
// connected net x (B,D) -> (mu, log sigma) (B,D) each, whose output d depends
// only on the inputs that come before d in the order:
//
//   degrees  m(input i) = order[i] in 1..D (natural order: i + 1)
//            m(hidden unit k of layer l) = lo + (k mod (D - lo)),  lo = min(min of layer l-1's degrees, D - 1)
//                                          (deterministic: the units cycle through lo, lo+1, ..., D-1)
//   masks    hidden k <- unit j   iff  m(k) >= m(j)
//            output of dim d <- k iff  m(input d) > m(k)
//   net      h_1 = relu(MaskedLinear(x)), ..., h_L = relu(MaskedLinear(h_{L-1})),
//            (mu, log sigma) = MaskedLinear(h_L) split in two halves of D
//
// so d out_d / d x_j == 0 whenever order[j] >= order[d] (exactly: the masked
// weights are multiplied by 0). Every hidden degree is at most D-1, so no
// hidden unit sees the last dimension, and the first dimension's outputs are
// constants (their biases). D = 1: lo = 0, every mask to the output is zero.
#pragma once
#include <memory>
#include <vector>

#include "models/flows/masked_linear.h"

namespace dgm::models::flows {

class MADE : public nn::Module {
 public:
  // `order`: a permutation of 1..D giving each input's degree; empty: 1..D.
  MADE(int64_t dim, std::vector<int64_t> hidden, std::vector<int64_t> order = {});
  std::string name() const override { return "MADE"; }
  std::string extra_repr() const override;

  struct Output {
    Tensor mu;         // (B, D)
    Tensor log_sigma;  // (B, D), unbounded (the flow layers bound it)
  };
  // x (B, D) -> (mu, log sigma), each (B, D).
  Output conditioner(const Tensor& x);
  // (B, 2D): mu in columns [0, D), log sigma in [D, 2D).
  Tensor forward(const Tensor& x) override;

  // The same with each layer's W * M given (masked_weights()): an inversion in D passes computes them once.
  std::vector<Tensor> masked_weights() const;
  Output conditioner(const Tensor& x, const std::vector<Tensor>& masked_weights);
  Tensor forward(const Tensor& x, const std::vector<Tensor>& masked_weights);

  int64_t dim() const { return dim_; }
  const std::vector<int64_t>& order() const { return order_; }
  // The degree of every unit, layer by layer: inputs, each hidden layer.
  const std::vector<std::vector<int64_t>>& degrees() const { return degrees_; }
  // The masked layers, inputs to outputs.
  const std::vector<std::shared_ptr<MaskedLinear>>& layers() const { return layers_; }

 private:
  int64_t dim_;
  std::vector<int64_t> hidden_;
  std::vector<int64_t> order_;
  std::vector<std::vector<int64_t>> degrees_;
  std::vector<std::shared_ptr<MaskedLinear>> layers_;
};

}  // namespace dgm::models::flows
