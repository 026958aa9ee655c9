#include "models/vae/mlp_vae.h"

#include <cmath>
#include <sstream>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/vae/normal.h"
#include "nn/functional/loss.h"
#include "nn/io/image_grid.h"
#include "nn/io/scatter.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "nn/modules/mlp.h"
#include "tensor/factories.h"

namespace dgm::models::vae {

namespace {

// in -> hidden... -> out with ReLU between the layers, as the course's FullyConnectedMLP (nn::mlp).
std::shared_ptr<nn::Sequential> mlp(int64_t in, const std::vector<int64_t>& hidden, int64_t out) {
  std::vector<int64_t> widths{in};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(out);
  return nn::mlp(widths);
}

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(x);
  }
  return "[" + s + "]";
}

}  // namespace

MlpVAE::MlpVAE(MlpVAEOptions options) : options_(std::move(options)) {
  data_dim_ = numel_of(options_.input_shape);
  DGM_CHECK(data_dim_ > 0 && options_.latent_dim > 0, "MlpVAE: input and latent sizes must be > 0, got input ",
            shape_str(options_.input_shape), ", latent ", options_.latent_dim);
  DGM_CHECK(options_.beta >= 0 && std::isfinite(options_.beta), "MlpVAE: beta must be >= 0, got ", options_.beta);
  DGM_CHECK(options_.iwae_k >= 1, "MlpVAE: iwae_k must be >= 1, got ", options_.iwae_k);
  encoder_ = register_module("encoder", mlp(data_dim_, options_.encoder_hidden, 2 * options_.latent_dim));
  const bool net_sigma =
      options_.likelihood == MlpVAEOptions::Likelihood::kGaussian && options_.sigma == MlpVAEOptions::Sigma::kNet;
  DGM_CHECK(!net_sigma || options_.input_shape.size() == 1,
            "MlpVAE: a decoder sigma of kind kNet takes points (D), got ", shape_str(options_.input_shape));
  decoder_ = register_module("decoder",
                             mlp(options_.latent_dim, options_.decoder_hidden, net_sigma ? 2 * data_dim_ : data_dim_));
  if (options_.likelihood == MlpVAEOptions::Likelihood::kGaussian && !net_sigma)
    log_sigma_ = register_parameter("log_sigma",
                                    zeros({options_.sigma == MlpVAEOptions::Sigma::kScalar ? int64_t{1} : data_dim_}));
}

std::string MlpVAE::extra_repr() const {
  const bool gaussian = options_.likelihood == MlpVAEOptions::Likelihood::kGaussian;
  std::string s = "input=" + shape_str(options_.input_shape) + ", latent_dim=" + std::to_string(options_.latent_dim) +
                  ", encoder=" + join(options_.encoder_hidden) + ", decoder=" + join(options_.decoder_hidden) +
                  ", likelihood=" + (gaussian ? "gaussian" : "bernoulli");
  if (gaussian)
    s += std::string(", sigma=") + (options_.sigma == MlpVAEOptions::Sigma::kScalar   ? "scalar"
                                    : options_.sigma == MlpVAEOptions::Sigma::kPerDim ? "per-dim"
                                                                                      : "net");
  std::ostringstream beta;
  beta << options_.beta;
  s += ", beta=" + beta.str();
  if (options_.objective == MlpVAEOptions::Objective::kIwae) s += ", iwae_k=" + std::to_string(options_.iwae_k);
  return s;
}

std::pair<Tensor, Tensor> MlpVAE::encode(const Tensor& x) {
  Shape expected = {-1};
  expected.insert(expected.end(), options_.input_shape.begin(), options_.input_shape.end());
  bool ok = x.dim() == static_cast<int64_t>(expected.size());
  for (size_t i = 1; ok && i < expected.size(); ++i) ok = x.size(static_cast<int64_t>(i)) == expected[i];
  DGM_CHECK(ok, "MlpVAE: expected a batch of examples of shape ", shape_str(options_.input_shape), ", got ",
            shape_str(x.shape()));
  auto halves = encoder_->forward(x.reshape({x.size(0), data_dim_})).chunk(2, 1);
  return {halves[0], halves[1]};
}

Tensor MlpVAE::decode(const Tensor& z) {
  if (!log_sigma_.defined() && options_.likelihood == MlpVAEOptions::Likelihood::kGaussian)
    return decoder_->forward(z);  // kNet: (N, 2 D)
  Shape out = {z.size(0)};
  out.insert(out.end(), options_.input_shape.begin(), options_.input_shape.end());
  return decoder_->forward(z).reshape(out);
}

Tensor MlpVAE::recon_nll(const Tensor& x, const Tensor& decoded) {
  const int64_t n = x.size(0);
  if (options_.likelihood == MlpVAEOptions::Likelihood::kBernoulli)
    // -log Bern(x; sigmoid(l)) = BCE-with-logits(l, x), summed over the pixels
    return nn::functional::binary_cross_entropy_with_logits(decoded, x, "none").reshape({n, data_dim_}).sum({1});
  auto [mean, log_sigma] = gaussian(decoded);
  // -log N(x; mean, sigma^2), summed over the D coordinates
  if (log_sigma.numel() > 1) log_sigma = log_sigma.reshape({-1, data_dim_});  // (1) broadcasts as it is
  return get_normal_nll(x.reshape({n, data_dim_}), mean.reshape({n, data_dim_}), log_sigma).sum({1});
}

std::pair<Tensor, Tensor> MlpVAE::gaussian(const Tensor& decoded) const {
  if (!log_sigma_.defined()) {
    auto halves = decoded.chunk(2, 1);
    return {halves[0], halves[1]};
  }
  return {decoded,
          options_.sigma == MlpVAEOptions::Sigma::kScalar ? log_sigma_ : log_sigma_.reshape(options_.input_shape)};
}

Losses MlpVAE::elbo_losses(const Tensor& x, const Tensor& eps) {
  auto [mu, log_std] = encode(x);
  DGM_CHECK(eps.shape() == mu.shape(), "MlpVAE: eps must have the shape of mu ", shape_str(mu.shape()), ", got ",
            shape_str(eps.shape()));
  // z = mu + sigma * eps
  Tensor z = mu + log_std.exp() * eps;
  Tensor recon = recon_nll(x, decode(z)).mean();
  // KL(N(mu, sigma^2) || N(0, 1)) per latent dimension, averaged over the batch
  Tensor kl_dims = get_normal_KL(mu, log_std).mean({0});
  Tensor kl = kl_dims.sum();
  Losses out = {{"elbo_loss", recon + options_.beta * kl}, {"recon_loss", recon}, {"kl_loss", kl}};
  if (options_.beta != 1) out["neg_elbo"] = recon + kl;
  if (options_.kl_per_dim)
    for (int64_t j = 0; j < options_.latent_dim; ++j) out["kl_dim" + std::to_string(j)] = kl_dims.select(0, j);
  return out;
}

Tensor MlpVAE::log_importance_weights(const Tensor& x, int64_t k, Generator* gen) {
  DGM_CHECK(k >= 1, "MlpVAE::log_importance_weights: k must be >= 1, got ", k);
  auto [mu, log_std] = encode(x);
  const int64_t b = x.size(0), l = options_.latent_dim;
  // z_kb = mu_b + sigma_b * eps_kb
  Tensor eps = randn({k, b, l}, TensorOptions(mu.dtype()).device(mu.device()), gen);
  Tensor z = mu.unsqueeze(0) + log_std.exp().unsqueeze(0) * eps;
  Shape rep = {k};
  rep.insert(rep.end(), x.shape().begin(), x.shape().end());
  Shape flat = {k * b};
  flat.insert(flat.end(), options_.input_shape.begin(), options_.input_shape.end());
  Tensor x_k = x.unsqueeze(0).expand(rep).reshape(flat);
  Tensor z_flat = z.reshape({k * b, l});
  // log p(x|z) + log p(z) - log q(z|x)
  Tensor log_px = -recon_nll(x_k, decode(z_flat)).reshape({k, b});
  Tensor log_pz = -get_normal_nll(z, zeros_like(z), zeros_like(z)).sum({2});
  Tensor log_qz = -get_normal_nll(z, mu.unsqueeze(0), log_std.unsqueeze(0)).sum({2});
  return log_px + log_pz - log_qz;
}

Losses MlpVAE::loss(const Batch& batch) {
  const Tensor& x = batch.x;
  if (options_.objective == MlpVAEOptions::Objective::kElbo) {
    Tensor eps = randn({x.size(0), options_.latent_dim}, TensorOptions(x.dtype()).device(x.device()));
    return elbo_losses(x, eps);
  }
  Tensor log_w = log_importance_weights(x, options_.iwae_k);
  // -L_K = -mean_b (logsumexp_k log w_kb - log K)
  Tensor iwae = -(logsumexp(log_w, {0}) - std::log(static_cast<double>(options_.iwae_k))).mean();
  // -ELBO estimated from the same K draws per example
  Tensor elbo = -log_w.detach().mean();
  return {{"iwae_loss", iwae}, {"elbo_loss", elbo}};
}

Tensor MlpVAE::sample_means(int64_t n, Generator* gen) {
  Tensor z = randn({n, options_.latent_dim}, TensorOptions().device(parameters().front().device()), gen);
  Tensor out = decode(z);
  return options_.likelihood == MlpVAEOptions::Likelihood::kBernoulli ? sigmoid(out) : gaussian(out).first;
}

Tensor MlpVAE::sample(int64_t n, const SampleOptions& options) {
  if (options_.likelihood == MlpVAEOptions::Likelihood::kBernoulli) return sample_means(n, options.gen);
  Tensor z = randn({n, options_.latent_dim}, TensorOptions().device(parameters().front().device()), options.gen);
  auto [mean, log_sigma] = gaussian(decode(z));
  // x = mean + sigma * eps
  Tensor noise = randn(mean.shape(), TensorOptions(mean.dtype()).device(mean.device()), options.gen);
  return mean + exp(log_sigma) * noise;
}

void MlpVAE::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  if (options_.input_shape.size() == 1 && data_dim_ == 2) {
    // As seminar 5: the test data beside samples with the decoder noise and without it (the decoder means).
    const int64_t n = std::max<int64_t>(n_samples, 1000);
    Tensor with_noise = sample(n, gen), means = sample_means(n, gen);
    nn::io::save_scatter_panels(dir + "/samples.png",
                                {{"data (test)", test_batch.x}, {"samples", with_noise}, {"decoder means", means}},
                                "MlpVAE, samples with and without decoder noise");
    return;
  }
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  const int64_t n = std::min<int64_t>(32, test_batch.size());
  Tensor x = test_batch.x.narrow(0, 0, n);
  Tensor r = decode(encode(x).first);
  if (options_.likelihood == MlpVAEOptions::Likelihood::kBernoulli) r = sigmoid(r);
  nn::io::ImageOptions rows;
  rows.nrow = 8;
  nn::io::save_image_grid(dir + "/reconstructions.png", cat({x, r}, 0), rows);
  if (options_.latent_dim != 2) return;
  // Means of q(z|x) of the test batch, coloured by digit when the batch carries labels.
  Tensor mu = encode(test_batch.x).first;
  std::vector<Tensor> labels = {test_batch.has_labels() ? test_batch.y : Tensor()};
  nn::io::save_scatter_panels(dir + "/latent.png", {{"means of q(z|x), test", mu}}, labels,
                              "latent posteriors by label");
  // The decoded grid z = (u, v), u left to right and v top to bottom over [-3, 3].
  constexpr int64_t kSide = 15;
  std::vector<float> grid;
  for (int64_t i = 0; i < kSide; ++i)
    for (int64_t j = 0; j < kSide; ++j) {
      grid.push_back(static_cast<float>(-3.0 + 6.0 * j / (kSide - 1)));
      grid.push_back(static_cast<float>(3.0 - 6.0 * i / (kSide - 1)));
    }
  Tensor z = tensor(grid, {kSide * kSide, 2}).to(mu.device());
  Tensor images = decode(z);
  if (options_.likelihood == MlpVAEOptions::Likelihood::kBernoulli) images = sigmoid(images);
  nn::io::ImageOptions grid_options;
  grid_options.nrow = kSide;
  nn::io::save_image_grid(dir + "/latent_grid.png", images, grid_options);
}

}  // namespace dgm::models::vae
