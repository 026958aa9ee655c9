// The fully connected VAE of seminar 5 (lecture 4): for 2-D points and for
// binarized MNIST flattened to 784 values.
//
//   encoder  x (B, D) -MLP (ReLU)-> (mu, log_std) of q(z|x) = N(mu, diag(e^{2 log_std})), z in R^L
//   z = mu + e^{log_std} * eps,  eps ~ N(0, I)                         (reparametrization)
//   decoder  z -MLP (ReLU)-> Gaussian:  mean of p(x|z) = N(mean, diag(sigma^2)), log sigma a learned parameter,
//                                       one scalar (kScalar) or one per data dimension (kPerDim), not a function of z,
//                                       or (mean, log sigma) both decoder outputs (kNet, points only)
//                            Bernoulli: logits of p(x|z) = prod sigmoid(logits)^x (1 - sigmoid(logits))^(1 - x)
//
// loss(x), in nats per example (averaged over the batch), with one eps draw per example:
//   recon_loss = -log p(x|z)                                  (get_normal_nll or BCE-with-logits, summed over D)
//   kl_loss    = KL(q(z|x) || N(0, I))                        (get_normal_KL, summed over L)
//   elbo_loss  = recon + beta * kl                            (the optimized key; the negative ELBO when beta = 1)
//   neg_elbo   = recon + kl                                   (only when beta != 1: the true negative ELBO)
//   kl_dim<j>  = E_batch KL of latent dimension j             (when kl_per_dim: posterior collapse shows as 0)
// With objective kIwae the optimized key is instead
//   iwae_loss  = -L_K = -mean_b log (1/K) sum_k w_kb,   w_kb = p(x_b, z_kb) / q(z_kb | x_b)     (IWAE, K samples)
//   elbo_loss  = -mean_{k,b} log w_kb                          (the negative ELBO from the same draws)
#pragma once
#include <memory>
#include <vector>

#include "models/model.h"
#include "models/vae/importance_weighted.h"
#include "nn/modules/container.h"

namespace dgm::models::vae {

struct MlpVAEOptions {
  enum class Likelihood { kGaussian, kBernoulli };
  // Gaussian decoder: log sigma a parameter, shared (kScalar) or one per data dimension (kPerDim), or an output of
  // the decoder, a function of z beside the mean (kNet: the decoder outputs (mean, log sigma), 2 D values)
  enum class Sigma { kScalar, kPerDim, kNet };
  enum class Objective { kElbo, kIwae };
  Shape input_shape = {2};  // one example: {2} for points, {1, 28, 28} for MNIST
  int64_t latent_dim = 2;
  std::vector<int64_t> encoder_hidden = {128, 128};
  std::vector<int64_t> decoder_hidden = {128, 128};
  Likelihood likelihood = Likelihood::kGaussian;
  Sigma sigma = Sigma::kScalar;
  double beta = 1;
  Objective objective = Objective::kElbo;
  int64_t iwae_k = 5;       // samples per example for kIwae
  bool kl_per_dim = false;  // log kl_dim<j> for every latent dimension j
};

class MlpVAE : public GenerativeModel, public ImportanceWeighted {
 public:
  explicit MlpVAE(MlpVAEOptions options);
  std::string name() const override { return "MlpVAE"; }
  std::string extra_repr() const override;

  // (mu, log_std) of q(z|x), each (B, L)
  std::pair<Tensor, Tensor> encode(const Tensor& x);
  // The decoder's output for z (N, L): Gaussian means or Bernoulli logits, (N, input_shape...); for kNet the means
  // and log sigmas side by side, (N, 2 D)
  Tensor decode(const Tensor& z);
  // -log p(x|z) per example: x (N, ...), decoded (N, ...) -> (N)
  Tensor recon_nll(const Tensor& x, const Tensor& decoded);
  // The losses above for given noise eps (B, L) (loss() draws eps ~ N(0, I)); kElbo only.
  Losses elbo_losses(const Tensor& x, const Tensor& eps);

  Losses loss(const Batch& batch) override;
  // Gaussian: x ~ p(x|z) (with the decoder noise); Bernoulli: the means sigmoid(logits). z ~ N(0, I).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // The decoder means for z ~ N(0, I): samples without the decoder noise.
  Tensor sample_means(int64_t n, Generator* gen = nullptr);
  Tensor log_importance_weights(const Tensor& x, int64_t k, Generator* gen = nullptr) override;
  // 2-D points: samples.png, data | samples with noise | without noise. Images: samples.png, reconstructions.png,
  // and for L = 2 latent.png (means of q(z|x) of the test batch, coloured by label when the batch has labels)
  // and latent_grid.png (the decoded 15x15 grid over [-3, 3]^2).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  const MlpVAEOptions& options() const { return options_; }
  // The decoder's log sigma parameter, (1) or (D); kScalar and kPerDim only.
  const Tensor& log_sigma() const { return log_sigma_; }
  nn::Sequential& encoder() { return *encoder_; }
  nn::Sequential& decoder() { return *decoder_; }

 private:
  MlpVAEOptions options_;
  int64_t data_dim_;
  std::shared_ptr<nn::Sequential> encoder_, decoder_;
  Tensor log_sigma_;

  // Gaussian: (mean, log sigma) of p(x|z) from the decoder's output, each broadcasting to (N, input_shape...)
  std::pair<Tensor, Tensor> gaussian(const Tensor& decoded) const;
};

}  // namespace dgm::models::vae
