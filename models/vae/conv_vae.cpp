#include "models/vae/conv_vae.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/vae/normal.h"
#include "nn/functional/loss.h"
#include "nn/io/image_grid.h"
#include "tensor/factories.h"

namespace dgm::models {

ConvVAE::ConvVAE(int64_t latent_dim) : latent_dim_(latent_dim) {
  enc1_ = register_module("enc1", std::make_shared<nn::Conv2d>(1, 32, 3, 2, 1));
  enc2_ = register_module("enc2", std::make_shared<nn::Conv2d>(32, 64, 3, 2, 1));
  enc_fc_ = register_module("enc_fc", std::make_shared<nn::Linear>(64 * 7 * 7, 2 * latent_dim));
  dec_fc_ = register_module("dec_fc", std::make_shared<nn::Linear>(latent_dim, 64 * 7 * 7));
  dec1_ = register_module("dec1", std::make_shared<nn::ConvTranspose2d>(64, 32, 4, 2, 1));
  dec2_ = register_module("dec2", std::make_shared<nn::ConvTranspose2d>(32, 1, 4, 2, 1));
}

std::string ConvVAE::extra_repr() const { return "latent_dim=" + std::to_string(latent_dim_); }

std::pair<Tensor, Tensor> ConvVAE::encode(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28,
            "ConvVAE: expected images of shape (B,1,28,28), got ", shape_str(x.shape()));
  Tensor h = relu(enc2_->forward(relu(enc1_->forward(x))));
  Tensor stats = enc_fc_->forward(h.flatten(1));
  auto halves = stats.chunk(2, 1);
  return {halves[0], halves[1]};
}

Tensor ConvVAE::decode(const Tensor& z) {
  Tensor h = relu(dec_fc_->forward(z)).view({z.size(0), 64, 7, 7});
  return dec2_->forward(relu(dec1_->forward(h)));
}

Losses ConvVAE::loss(const Batch& data) {
  const Tensor& x = data.x;
  auto [mu, logvar] = encode(x);
  // z = mu + sigma * eps
  Tensor eps = randn(mu.shape(), TensorOptions(mu.dtype()).device(mu.device()));
  Tensor z = mu + exp(0.5 * logvar) * eps;
  Tensor logits = decode(z);
  const double batch = static_cast<double>(x.size(0));
  // -log p(x|z), summed over pixels, averaged over the batch
  Tensor recon = nn::functional::binary_cross_entropy_with_logits(logits, x, "sum") / batch;
  // KL(N(mu, sigma^2) || N(0, 1)) = 1/2 (mu^2 + sigma^2 - 1 - log sigma^2), summed over latent dims
  Tensor kl = 0.5 * (mu.square() + exp(logvar) - 1.0 - logvar).sum() / batch;
  return {{"loss", recon + kl}, {"recon_loss", recon}, {"kl_loss", kl}};
}

Tensor ConvVAE::log_importance_weights(const Tensor& x, int64_t k, Generator* gen) {
  DGM_CHECK(k >= 1, "ConvVAE::log_importance_weights: k must be >= 1, got ", k);
  auto [mu, logvar] = encode(x);
  const int64_t b = x.size(0);
  Tensor log_std = 0.5 * logvar;
  // z_kb = mu_b + sigma_b * eps_kb
  Tensor eps = randn({k, b, latent_dim_}, TensorOptions(mu.dtype()).device(mu.device()), gen);
  Tensor z = mu.unsqueeze(0) + log_std.exp().unsqueeze(0) * eps;
  Tensor logits = decode(z.reshape({k * b, latent_dim_}));
  Tensor x_k = x.unsqueeze(0).expand({k, b, 1, 28, 28}).reshape({k * b, 1, 28, 28});
  // log p(x|z) = -BCE-with-logits summed over pixels; log p(z) - log q(z|x) from the Gaussian NLLs
  Tensor log_px = -nn::functional::binary_cross_entropy_with_logits(logits, x_k, "none").reshape({k, b, -1}).sum({2});
  Tensor log_pz = -vae::get_normal_nll(z, zeros_like(z), zeros_like(z)).sum({2});
  Tensor log_qz = -vae::get_normal_nll(z, mu.unsqueeze(0), log_std.unsqueeze(0)).sum({2});
  return log_px + log_pz - log_qz;
}

Tensor ConvVAE::sample(int64_t n, const SampleOptions& options) {
  Tensor z = randn({n, latent_dim_}, TensorOptions().device(parameters().front().device()), options.gen);
  return sigmoid(decode(z));
}

Tensor ConvVAE::reconstruct(const Tensor& x) { return sigmoid(decode(encode(x).first)); }

void ConvVAE::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  // 4 rows of 8 originals, each followed by a row of their reconstructions.
  const int64_t n = std::min<int64_t>(32, test_batch.size());
  Tensor x = test_batch.x.narrow(0, 0, n);
  Tensor r = reconstruct(x);
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t m = std::min<int64_t>(8, n - i);
    rows.push_back(x.narrow(0, i, m));
    rows.push_back(r.narrow(0, i, m));
  }
  nn::io::ImageOptions options;
  options.nrow = 8;
  nn::io::save_image_grid(dir + "/reconstructions.png", cat(rows, 0), options);
}

}  // namespace dgm::models
