// The PixelCNN prior over VQ-VAE code maps (homework 3 task 2, lecture 5):
// an autoregressive model of the K-valued 7x7 code map k in raster order,
//
//   p(k) = prod_{i,j} Cat(k_ij | softmax(logits_ij(k_<ij))),
//
// trained by cross-entropy on the codes of the training images (the second
// stage `dgm train vqvae-prior --from runs/vqvae`). Its input is the one-hot
// code map (B,K,7,7), then
//
//   MaskedConv 'A' (K -> F, k x k), n_layers x [ReLU, MaskedConv 'B' (F -> F, k x k)],
//   ReLU, MaskedConv 'B' (F -> K, 1x1) -> logits viewed as (B,K,1,7,7)
//
// loss = cross-entropy, nats per code (mean over the 49 positions).
// sample(n) draws the 49 codes one after the other (n,1,7,7); with the trained
// VQ-VAE (the parent) the pictures decode them into images.
#pragma once
#include <memory>
#include <utility>

#include "models/model.h"
#include "models/vqvae/vqvae.h"
#include "nn/modules/container.h"

namespace dgm::models::vqvae {

class PixelCNN : public GenerativeModel {
 public:
  explicit PixelCNN(int64_t num_embeddings = 128, std::pair<int64_t, int64_t> input_shape = {7, 7},
                    int64_t n_filters = 32, int64_t kernel_size = 5, int64_t n_layers = 5);
  std::string name() const override { return "PixelCNN"; }
  std::string extra_repr() const override;

  // code maps (B,1,H,W) (int64, or float holding integers) -> logits (B,K,1,H,W)
  Tensor forward(const Tensor& x) override;
  // {"loss": cross-entropy of the codes, nats per code}
  Losses loss(const Batch& batch) override;
  // n code maps (n,1,H,W) float, drawn position by position
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // What `dgm sample` and the pictures draw: with a parent, sampled code maps
  // decoded to images (n,1,28,28) in {0,1}; without one, the code maps.
  Tensor generate(int64_t n, const SampleOptions& options = {}) override;
  // code maps (n,1,H,W) -> get_quantized -> the parent's decoder -> pixels drawn from its logits
  Tensor decode_codes(const Tensor& codes, Generator* gen);
  // samples.png: the parent's decoding of sampled code maps (with a parent),
  // codes.png: the sampled code maps as images, index / (K-1).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // The trained VQ-VAE whose codes this models (not a submodule: neither
  // trained nor saved here); null for a stand-alone prior.
  std::shared_ptr<VQVAEModel> parent;

  int64_t num_embeddings;
  std::pair<int64_t, int64_t> input_shape;
  int64_t n_filters, kernel_size, n_layers;
  std::shared_ptr<nn::Sequential> net;
};

}  // namespace dgm::models::vqvae
