// The vector quantizer of VQ-VAE (van den Oord et al., 2017; lecture 5,
// homework 3 task 2): a codebook of K vectors e_1..e_K in R^D (an Embedding,
// initialized U(-1/K, 1/K)) and the nearest-code map of an encoder output z_e
// (B,D,H,W), position by position:
//
//   k(b,h,w) = argmin_j |z_e(b,:,h,w) - e_j|^2,   |z - e|^2 = |z|^2 - 2 z.e + |e|^2
//   z_q(b,:,h,w) = e_{k(b,h,w)}
//
// The loss trains the codebook and the encoder with stop-gradients sg:
//
//   loss = |z_q - sg(z_e)|^2 + beta |z_e - sg(z_q)|^2      (codebook + beta * commitment, means)
//
// and the decoder's gradient reaches the encoder by the straight-through
// estimator z_q = z_e + sg(z_q - z_e): its value is z_q, its Jacobian in z_e is I.
#pragma once
#include <memory>
#include <utility>

#include "nn/modules/embedding.h"

namespace dgm::models::vqvae {

class VectorQuantizer : public nn::Module {
 public:
  explicit VectorQuantizer(int64_t num_embeddings = 128, int64_t embedding_dim = 16, double beta = 0.25);
  std::string name() const override { return "VectorQuantizer"; }
  std::string extra_repr() const override;

  // z_e (B,D,H,W) -> index of the nearest code at each position, (B,H,W) int64.
  Tensor get_code_indices(const Tensor& x) const;
  // indices (B,H,W) int64 -> the codes (B,D,H,W).
  Tensor get_quantized(const Tensor& indices) const;
  // z_e (B,D,H,W) -> (z_q with the straight-through gradient, the scalar VQ loss).
  std::pair<Tensor, Tensor> forward_with_loss(const Tensor& x);
  // The codes of the given indices and the VQ loss (codebook + beta * commitment).
  std::pair<Tensor, Tensor> quantize(const Tensor& x, const Tensor& indices) const;
  // The indices of the last forward_with_loss, (B,H,W): for logging codebook usage.
  const Tensor& last_indices() const { return last_indices_; }
  void clear_last_indices() { last_indices_ = Tensor(); }

  int64_t num_embeddings, embedding_dim;
  double beta;
  std::shared_ptr<nn::Embedding> embedding;

 private:
  Tensor last_indices_;
};

}  // namespace dgm::models::vqvae
