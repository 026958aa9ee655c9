#include "models/vqvae/vector_quantizer.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/linalg.h"
#include "autograd/ops/reduction.h"
#include "nn/functional/loss.h"

namespace dgm::models::vqvae {

VectorQuantizer::VectorQuantizer(int64_t K, int64_t D, double beta_)
    : num_embeddings(K), embedding_dim(D), beta(beta_) {
  DGM_CHECK(K > 0 && D > 0, "VectorQuantizer: num_embeddings and embedding_dim must be positive, got ", K, " and ", D);
  DGM_CHECK(beta >= 0, "VectorQuantizer: beta must be non-negative, got ", beta);
  embedding = register_module("embedding", std::make_shared<nn::Embedding>(K, D));
  // the course's initialization: U(-1/K, 1/K)
  NoGradGuard no_grad;
  embedding->weight.uniform_(-1.0 / static_cast<double>(K), 1.0 / static_cast<double>(K));
}

std::string VectorQuantizer::extra_repr() const {
  return "num_embeddings=" + std::to_string(num_embeddings) + ", embedding_dim=" + std::to_string(embedding_dim) +
         ", beta=" + std::to_string(beta);
}

Tensor VectorQuantizer::get_code_indices(const Tensor& x) const {
  DGM_CHECK(x.dim() == 4 && x.size(1) == embedding_dim, "VectorQuantizer::get_code_indices: expected (B,",
            embedding_dim, ",H,W), got ", shape_str(x.shape()));
  // BEGIN SOLUTION hw3.1/indices
  const int64_t B = x.size(0), H = x.size(2), W = x.size(3);
  Tensor flat = x.permute({0, 2, 3, 1}).reshape({B * H * W, embedding_dim});  // (N, D)
  const Tensor& e = embedding->weight;                                        // (K, D)
  // |x - e|^2 = |x|^2 - 2 x e^T + |e|^2, (N, K)
  Tensor distances = flat.square().sum({1}, true) - 2.0 * matmul(flat, e.t()) + e.square().sum({1}).unsqueeze(0);
  return distances.argmin(1).view({B, H, W});
  // END SOLUTION
}

Tensor VectorQuantizer::get_quantized(const Tensor& indices) const {
  DGM_CHECK(indices.dim() == 3 && indices.dtype() == kInt64,
            "VectorQuantizer::get_quantized: expected int64 indices (B,H,W), got ", shape_str(indices.shape()));
  // BEGIN SOLUTION hw3.1/quantized
  return embedding->forward(indices).permute({0, 3, 1, 2});  // (B,H,W,D) -> (B,D,H,W)
  // END SOLUTION
}

std::pair<Tensor, Tensor> VectorQuantizer::quantize(const Tensor& x, const Tensor& indices) const {
  // BEGIN SOLUTION hw3.1/forward
  Tensor quantized = get_quantized(indices);
  // codebook loss: moves the codes to the encoder outputs; commitment: keeps the encoder near its codes
  Tensor codebook_loss = nn::functional::mse_loss(quantized, x.detach());
  Tensor commitment_loss = nn::functional::mse_loss(x, quantized.detach());
  return {quantized, codebook_loss + beta * commitment_loss};
  // END SOLUTION
}

std::pair<Tensor, Tensor> VectorQuantizer::forward_with_loss(const Tensor& x) {
  Tensor indices = get_code_indices(x);
  last_indices_ = indices;
  auto [quantized, loss] = quantize(x, indices);
  // straight-through: the value of z_q, the gradient of z_e
  quantized = x + (quantized - x).detach();
  return {quantized, loss};
}

}  // namespace dgm::models::vqvae
