// Importance weighting (lecture 4, homework 2's theory problem 1): a latent
// model that can draw K samples z_k ~ q(z|x) and score them has the bounds
//
//   L_K(x) = E[ log (1/K) sum_k w_k ],   w_k = p(x, z_k) / q(z_k | x)
//   log p(x) >= L_K >= L_M  for K >= M,  and L_K -> log p(x) as K -> infinity;  L_1 is the ELBO.
//
// Any VAE of dgm implements it; `dgm eval RUN --iwae 1,5,50` and IWAE training use it.
#pragma once
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::vae {

class ImportanceWeighted {
 public:
  virtual ~ImportanceWeighted() = default;
  // log w_k(x_b) = log p(x_b | z_kb) + log p(z_kb) - log q(z_kb | x_b) for z_kb ~ q(z | x_b):
  // x (B, ...) -> (K, B), in nats, for x as the model's loss sees it.
  virtual Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) = 0;
};

}  // namespace dgm::models::vae
