// VQ-VAE on binarized 28x28 MNIST (van den Oord et al., 2017; lecture 5,
// homework 3 task 2):
//
//   z_e = encoder(x) (B,D,7,7) -> k = nearest codes (B,7,7) -> z_q = e_k -> logits = decoder(z_q) (B,2,28,28)
//
// Each pixel is a 2-class categorical (off / on). loss(x) returns
//   ce_loss    = cross-entropy of the logits against the pixels, nats per pixel (mean)
//   vq_loss    = |z_q - sg(z_e)|^2 + beta |z_e - sg(z_q)|^2 (vector_quantizer.h)
//   total_loss = ce_loss_scale * ce_loss + vq_loss        (what is minimized)
// and logs, not optimized:
//   perplexity  = exp(H(p)), p the histogram of the batch's codes: 1 if one code
//                 is used, K if all are used equally (dead codes lower it)
//   pixel_error = share of pixels whose argmax reconstruction is wrong
//
// The prior of the VQ-VAE itself is uniform over the K^(7*7) code maps, so
// sample(n) draws each code uniformly, decodes, and draws the pixels: the
// samples are expected to be bad; a PixelCNN on the codes (code_prior.h) is
// the learned prior.
#pragma once
#include <memory>
#include <utility>

#include "models/model.h"
#include "models/vqvae/conv_coders.h"
#include "models/vqvae/vector_quantizer.h"

namespace dgm::models::vqvae {

class VQVAEModel : public GenerativeModel {
 public:
  // channels: the width of the encoder and decoder (32 in the course's model).
  explicit VQVAEModel(double ce_loss_scale = 1.0, int64_t latent_dim = 16, int64_t num_embeddings = 128,
                      std::pair<int64_t, int64_t> latent_size = {7, 7}, int64_t channels = 32, double beta = 0.25);
  std::string name() const override { return "VQVAEModel"; }
  std::string extra_repr() const override;

  // x (B,1,28,28) in {0,1} -> (decoded logits (B,2,28,28), the scalar VQ loss)
  std::pair<Tensor, Tensor> forward_with_loss(const Tensor& x);
  // total_loss, ce_loss, vq_loss from the input and what forward_with_loss returned
  Losses course_loss(const Tensor& x, const Tensor& decoded, const Tensor& vq_loss) const;
  // course_loss plus the logged perplexity and pixel_error
  Losses loss(const Batch& batch) override;
  // x (B,1,28,28) -> code indices (B,7,7) int64
  Tensor get_indices(const Tensor& x);
  // n code maps with every code uniform over the K codes, quantized: (n,D,7,7)
  Tensor prior(int64_t n, Generator* gen = nullptr);
  // logits (B,2,H,W) -> pixels drawn from softmax over the 2 classes, (B,1,H,W) float in {0,1}
  Tensor sample_from_logits(const Tensor& logits, Generator* gen = nullptr) const;
  // prior(n) -> decoder -> sample_from_logits: (n,1,28,28)
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // indices (B,7,7) -> P(pixel on) of their decoding, (B,1,28,28)
  Tensor decode_indices(const Tensor& indices);
  // samples.png, reconstructions.png (rows of originals over P(on) of their
  // reconstructions) and codes.png (the test images' code maps, indices / (K-1)).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // code maps (n,H,W) -> gray images index / (K-1), each code a 4x4 block: (n,1,4H,4W) float on the CPU
  static Tensor code_images(const Tensor& indices, int64_t num_embeddings);
  // exp(entropy of the histogram of the codes in indices)
  static Tensor perplexity(const Tensor& indices, int64_t num_embeddings);

  double ce_loss_scale;
  int64_t latent_dim, num_embeddings;
  std::pair<int64_t, int64_t> latent_size;
  std::shared_ptr<ConvEncoder> encoder;
  std::shared_ptr<VectorQuantizer> vq;
  std::shared_ptr<ConvDecoder> decoder;
};

}  // namespace dgm::models::vqvae
