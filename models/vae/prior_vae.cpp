#include "models/vae/prior_vae.h"

#include <algorithm>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/vae/flow_prior.h"
#include "models/vae/normal.h"
#include "models/vae/vamp_prior.h"
#include "nn/functional/loss.h"
#include "nn/io/image_grid.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "nn/modules/mlp.h"

namespace dgm::models::vae {

namespace {

constexpr int64_t kPixels = 28 * 28;

void check_images(const char* op, const Tensor& x) {
  DGM_CHECK(x.defined() && x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28, op,
            ": expected images of shape (B,1,28,28), got ", x.defined() ? shape_str(x.shape()) : "undefined");
}

}  // namespace

// log q(z|x) - log p(z),  log q = -sum_j nll(z_j; mu_j, sigma_j)
Tensor sampled_kl(const Tensor& z, const Tensor& mu, const Tensor& log_sigma, Prior& prior) {
  DGM_CHECK(z.dim() == 2 && mu.shape() == z.shape() && log_sigma.shape() == z.shape(),
            "sampled_kl: expected z, mu and log_sigma of one shape (B, D), got ", shape_str(z.shape()), ", ",
            shape_str(mu.shape()), ", ", shape_str(log_sigma.shape()));
  return -get_normal_nll(z, mu, log_sigma).sum({1}) - prior.log_prob(z);
}

PriorVAE::PriorVAE(PriorVAEOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  DGM_CHECK(o.prior == "normal" || o.prior == "flow" || o.prior == "vamp",
            "PriorVAE: prior must be \"normal\", \"flow\" or \"vamp\", got \"", o.prior, "\"");
  DGM_CHECK(o.latent_dim >= 1, "PriorVAE: latent_dim must be at least 1, got ", o.latent_dim);
  std::vector<int64_t> enc{kPixels};
  enc.insert(enc.end(), o.hidden.begin(), o.hidden.end());
  std::vector<int64_t> dec(enc.rbegin(), enc.rend());
  enc.push_back(2 * o.latent_dim);
  dec.insert(dec.begin(), o.latent_dim);
  encoder_ = register_module("encoder", nn::mlp(enc));
  decoder_ = register_module("decoder", nn::mlp(dec));
  if (o.prior == "normal") {
    prior_ = register_module("prior", std::make_shared<StandardNormalPrior>(o.latent_dim));
  } else if (o.prior == "flow") {
    prior_ = register_module("prior", std::make_shared<FlowPrior>(o.latent_dim, o.flow_layers, o.flow_hidden));
  } else {
    // non-owning: this VAE owns the prior, so the prior never outlives the encoder it calls
    VampPrior::Encoder encode_fn = [this](const Tensor& u) { return encode(u); };
    prior_ = register_module("prior",
                             std::make_shared<VampPrior>(o.latent_dim, Shape{1, 28, 28}, o.pseudo_inputs, encode_fn));
  }
}

std::string PriorVAE::extra_repr() const {
  return "prior=" + options_.prior + ", latent_dim=" + std::to_string(options_.latent_dim);
}

std::pair<Tensor, Tensor> PriorVAE::encode(const Tensor& x) {
  check_images("PriorVAE.encode", x);
  auto halves = encoder_->forward(x.flatten(1)).chunk(2, 1);
  return {halves[0], halves[1]};
}

Tensor PriorVAE::decode(const Tensor& z) {
  DGM_CHECK(z.defined() && z.dim() == 2 && z.size(1) == options_.latent_dim, "PriorVAE.decode: expected z (B,",
            options_.latent_dim, "), got ", z.defined() ? shape_str(z.shape()) : "undefined");
  return decoder_->forward(z).view({z.size(0), 1, 28, 28});
}

Losses PriorVAE::loss(const Batch& batch) {
  const Tensor& x = batch.x;
  auto [mu, log_sigma] = encode(x);
  // z = mu + sigma * eps
  Tensor z = mu + exp(log_sigma) * randn_like(mu);
  const double b = static_cast<double>(x.size(0));
  // -log p(x|z), summed over pixels
  Tensor recon = nn::functional::binary_cross_entropy_with_logits(decode(z), x, "sum") / b;
  // closed form KL(q || N(0, I)), or log q(z|x) - log p(z) at the same z
  Tensor kl = prior_->is_standard_normal() ? get_normal_KL(mu, log_sigma).sum() / b
                                           : sampled_kl(z, mu, log_sigma, *prior_).sum() / b;
  return {{"elbo_loss", recon + kl}, {"recon_loss", recon}, {"kl_loss", kl}};
}

Tensor PriorVAE::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, "PriorVAE.sample: n must be non-negative, got ", n);
  const Tensor p = parameters().front();
  // (the Prior interface draws in its own dtype: StandardNormalPrior in float32)
  Tensor z = prior_->sample(n, p.device(), options.gen).to(p.dtype());
  return sigmoid(decode(z));
}

void PriorVAE::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  // 4 rows of 8 originals, each followed by a row of their reconstructions.
  const int64_t n = std::min<int64_t>(32, test_batch.size());
  Tensor x = test_batch.x.narrow(0, 0, n);
  Tensor r = sigmoid(decode(encode(x).first));
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

Tensor PriorVAE::log_importance_weights(const Tensor& x, int64_t k, Generator* gen) {
  check_images("PriorVAE.log_importance_weights", x);
  DGM_CHECK(k >= 1, "PriorVAE.log_importance_weights: k must be at least 1, got ", k);
  const int64_t b = x.size(0), d = options_.latent_dim;
  auto [mu, log_sigma] = encode(x);
  Tensor m = mu.unsqueeze(0).expand({k, b, d}).reshape({k * b, d});
  Tensor s = log_sigma.unsqueeze(0).expand({k, b, d}).reshape({k * b, d});
  // z_kb = mu_b + sigma_b eps_kb
  Tensor z = m + exp(s) * randn(m.shape(), TensorOptions(m.dtype()).device(m.device()), gen);
  Tensor xs = x.unsqueeze(0).expand({k, b, 1, 28, 28}).reshape({k * b, 1, 28, 28});
  // log p(x|z) + log p(z) - log q(z|x)
  Tensor log_px = -nn::functional::binary_cross_entropy_with_logits(decode(z), xs, "none").sum({1, 2, 3});
  Tensor log_q = -get_normal_nll(z, m, s).sum({1});
  return (log_px + prior_->log_prob(z) - log_q).view({k, b});
}

}  // namespace dgm::models::vae
