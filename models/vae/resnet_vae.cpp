#include "models/vae/resnet_vae.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/vae/normal.h"
#include "nn/io/image_grid.h"
#include "tensor/factories.h"

namespace dgm::models::vae {

namespace {

// The spatial size after the encoder's stride-2 blocks: (H / 2^n, W / 2^n), checked to divide.
std::pair<int64_t, int64_t> latent_grid(const char* op, const std::vector<int64_t>& shape,
                                        const std::vector<int64_t>& channels) {
  DGM_CHECK(shape.size() == 3 && shape[0] > 0, op, ": expected an image shape (C, H, W), got ", shape_str(shape));
  DGM_CHECK(!channels.empty(), op, ": expected at least one width in channels");
  for (int64_t c : channels) DGM_CHECK(c > 0, op, ": widths must be positive, got ", shape_str(channels));
  const int64_t f = int64_t{1} << channels.size();
  DGM_CHECK(shape[1] % f == 0 && shape[2] % f == 0 && shape[1] >= f && shape[2] >= f, op, ": H and W of ",
            shape_str(shape), " must be divisible by 2^", channels.size(), " = ", f, " (one stride-2 block per width)");
  return {shape[1] / f, shape[2] / f};
}

std::string list_str(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return "(" + s + ")";
}

Tensor to_unit_interval(const Tensor& x) { return clamp(x, -1.0, 1.0) * 0.5 + 0.5; }

}  // namespace

ConvResNetEncoder::ConvResNetEncoder(std::vector<int64_t> input_shape_, int64_t n_latent_,
                                     std::vector<int64_t> channels_)
    : input_shape(std::move(input_shape_)), n_latent(n_latent_), channels(std::move(channels_)) {
  [[maybe_unused]] auto [h, w] = latent_grid("ConvResNetEncoder", input_shape, channels);
  DGM_CHECK(n_latent > 0, "ConvResNetEncoder: n_latent must be positive, got ", n_latent);
  // BEGIN SOLUTION hw2.10/encoder_layers
  int64_t in = input_shape[0];
  for (size_t i = 0; i < channels.size(); ++i) {
    blocks.push_back(
        register_module("block" + std::to_string(i), std::make_shared<ResNetBlock>(in, channels[i], 3, 2)));
    in = channels[i];
  }
  fc = register_module("fc", std::make_shared<nn::Linear>(in * h * w, 2 * n_latent));
  // END SOLUTION
}

std::pair<Tensor, Tensor> ConvResNetEncoder::encode(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == input_shape[0] && x.size(2) == input_shape[1] && x.size(3) == input_shape[2],
            "ConvResNetEncoder: expected (B, ", input_shape[0], ", ", input_shape[1], ", ", input_shape[2], "), got ",
            shape_str(x.shape()));
  // BEGIN SOLUTION hw2.10/encoder_forward
  Tensor h = x;
  for (auto& block : blocks) h = block->forward(h);
  auto halves = fc->forward(h.flatten(1)).chunk(2, 1);
  return {halves[0], halves[1]};
  // END SOLUTION
}

ConvResNetDecoder::ConvResNetDecoder(int64_t n_latent_, std::vector<int64_t> output_shape_,
                                     std::vector<int64_t> channels_)
    : n_latent(n_latent_), output_shape(std::move(output_shape_)), channels(std::move(channels_)) {
  [[maybe_unused]] auto [h, w] = latent_grid("ConvResNetDecoder", output_shape, channels);
  DGM_CHECK(n_latent > 0, "ConvResNetDecoder: n_latent must be positive, got ", n_latent);
  // BEGIN SOLUTION hw2.10/decoder_layers
  fc = register_module("fc", std::make_shared<nn::Linear>(n_latent, channels.back() * h * w));
  for (size_t i = channels.size(); i-- > 0;) {
    const int64_t out = channels[i == 0 ? 0 : i - 1];
    blocks.push_back(register_module("block" + std::to_string(channels.size() - 1 - i),
                                     std::make_shared<ResNetTransposeBlock>(channels[i], out, 3, 2)));
  }
  out_conv = register_module("out_conv", std::make_shared<SameConv2d>(channels[0], output_shape[0], 3));
  // END SOLUTION
}

Tensor ConvResNetDecoder::forward(const Tensor& z) {
  DGM_CHECK(z.dim() == 2 && z.size(1) == n_latent, "ConvResNetDecoder: expected z of shape (B, ", n_latent, "), got ",
            shape_str(z.shape()));
  [[maybe_unused]] const int64_t f = int64_t{1} << channels.size();
  // BEGIN SOLUTION hw2.10/decoder_forward
  Tensor h = fc->forward(z).view({z.size(0), channels.back(), output_shape[1] / f, output_shape[2] / f});
  for (auto& block : blocks) h = block->forward(h);
  return out_conv->forward(elu(h));
  // END SOLUTION
}

ConvResNetVAE::ConvResNetVAE(std::vector<int64_t> input_shape_, int64_t n_latent_, double beta_,
                             std::vector<int64_t> channels)
    : input_shape(std::move(input_shape_)), n_latent(n_latent_), beta(beta_) {
  DGM_CHECK(std::isfinite(beta) && beta >= 0, "ConvResNetVAE: beta must be a finite number >= 0, got ", beta);
  encoder = register_module("encoder", std::make_shared<ConvResNetEncoder>(input_shape, n_latent, channels));
  decoder = register_module("decoder", std::make_shared<ConvResNetDecoder>(n_latent, input_shape, channels));
}

std::string ConvResNetVAE::extra_repr() const {
  return "input_shape=" + list_str(input_shape) + ", n_latent=" + std::to_string(n_latent) +
         ", beta=" + nn::py_float(beta);
}

Tensor ConvResNetVAE::prior(int64_t n, Generator* gen) {
  DGM_CHECK(n >= 0, "ConvResNetVAE::prior: expected n >= 0, got ", n);
  // BEGIN SOLUTION hw2.11/prior
  return randn({n, n_latent}, TensorOptions().device(parameters().front().device()), gen);
  // END SOLUTION
}

VAEOutput ConvResNetVAE::forward(const Tensor& x, const Tensor& eps) {
  DGM_CHECK(!eps.defined() || (eps.shape() == Shape{x.size(0), n_latent}), "ConvResNetVAE: expected eps of shape (",
            x.size(0), ", ", n_latent, "), got ", shape_str(eps.shape()));
  // BEGIN SOLUTION hw2.11/forward
  auto [mu_z, log_std_z] = encoder->encode(x);
  // z = mu + sigma * eps, eps ~ N(0, I)
  Tensor noise = eps.defined() ? eps : prior(x.size(0));
  Tensor z = mu_z + exp(log_std_z) * noise;
  return {mu_z, log_std_z, decoder->forward(z)};
  // END SOLUTION
}

Losses ConvResNetVAE::loss(const Tensor& x, const Tensor& eps) {
  // BEGIN SOLUTION hw2.11/loss
  VAEOutput out = forward(x, eps);
  // -log N(x; mu_x, I), summed over pixels, averaged over the batch
  Tensor recon = get_normal_nll(x, out.x_recon, zeros_like(x)).flatten(1).sum({1}).mean();
  // KL(q(z|x) || N(0, I)), summed over latents, averaged over the batch
  Tensor kl = get_normal_KL(out.mu_z, out.log_std_z).sum({1}).mean();
  return {{"elbo_loss", recon + beta * kl}, {"recon_loss", recon}, {"kl_loss", kl}};
  // END SOLUTION
}

Tensor ConvResNetVAE::sample(int64_t n, const SampleOptions& options) {
  // BEGIN SOLUTION hw2.11/sample
  NoGradGuard no_grad;
  return clamp(decoder->forward(prior(n, options.gen)), -1.0, 1.0) * 0.5 + 0.5;
  // END SOLUTION
}

Tensor ConvResNetVAE::reconstruct(const Tensor& x) {
  NoGradGuard no_grad;
  return to_unit_interval(decoder->forward(encoder->encode(x).first));
}

Tensor ConvResNetVAE::interpolate(const Tensor& x1, const Tensor& x2, int64_t steps) {
  DGM_CHECK(x1.shape() == x2.shape(), "ConvResNetVAE::interpolate: expected two batches of one shape, got ",
            shape_str(x1.shape()), " and ", shape_str(x2.shape()));
  DGM_CHECK(steps >= 2, "ConvResNetVAE::interpolate: expected steps >= 2, got ", steps);
  NoGradGuard no_grad;
  Tensor mu1 = encoder->encode(x1).first, mu2 = encoder->encode(x2).first;
  // z(alpha) = (1 - alpha) mu1 + alpha mu2, alpha in linspace(0, 1, steps): (B, steps, n) -> (B * steps, n)
  Tensor alpha = linspace(0.0, 1.0, steps, TensorOptions().device(mu1.device())).view({1, steps, 1});
  Tensor z = (mu1.unsqueeze(1) * (1.0 - alpha) + mu2.unsqueeze(1) * alpha).reshape({-1, n_latent});
  return to_unit_interval(decoder->forward(z));
}

void ConvResNetVAE::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  nn::io::ImageOptions options;
  options.nrow = 10;
  // 5 rows of 10 test images, each followed by a row of their reconstructions (50 images, as the course).
  const int64_t n = std::min<int64_t>(50, test_batch.size());
  Tensor x = test_batch.x.narrow(0, 0, n);
  Tensor r = reconstruct(x);
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < n; i += 10) {
    const int64_t m = std::min<int64_t>(10, n - i);
    rows.push_back(to_unit_interval(x.narrow(0, i, m)));
    rows.push_back(r.narrow(0, i, m));
  }
  nn::io::save_image_grid(dir + "/reconstructions.png", cat(rows, 0), options);
  // 10 pairs (test images i and i + pairs) x 10 steps, a row per pair.
  const int64_t pairs = std::min<int64_t>(10, test_batch.size() / 2);
  if (pairs > 0)
    nn::io::save_image_grid(dir + "/interpolations.png",
                            interpolate(test_batch.x.narrow(0, 0, pairs), test_batch.x.narrow(0, pairs, pairs), 10),
                            options);
}

Tensor ConvResNetVAE::log_importance_weights(const Tensor& x, int64_t k, Generator* gen) {
  DGM_CHECK(k > 0, "ConvResNetVAE::log_importance_weights: expected k > 0, got ", k);
  Tensor eps = randn({k, x.size(0), n_latent}, TensorOptions().device(x.device()), gen);
  return log_importance_weights_with_noise(x, eps);
}

Tensor ConvResNetVAE::log_importance_weights_with_noise(const Tensor& x, const Tensor& eps) {
  DGM_CHECK(eps.dim() == 3 && eps.size(1) == x.size(0) && eps.size(2) == n_latent,
            "ConvResNetVAE::log_importance_weights: expected eps of shape (K, ", x.size(0), ", ", n_latent, "), got ",
            shape_str(eps.shape()));
  const int64_t k = eps.size(0), b = x.size(0);
  auto [mu_z, log_std_z] = encoder->encode(x);
  // z_kb = mu_b + sigma_b eps_kb: (K, B, n)
  Tensor z = mu_z.unsqueeze(0) + exp(log_std_z).unsqueeze(0) * eps;
  Tensor mu_x = decoder->forward(z.reshape({k * b, n_latent})).view({k, b, -1});
  Tensor xs = x.reshape({1, b, -1});
  // log p(x|z) = -sum nll(x; mu_x, 1); log N(z; 0, I) = -sum nll(z; 0, 1); log q(z|x) = -sum nll(z; mu, sigma)
  Tensor log_px = -get_normal_nll(xs, mu_x, zeros_like(mu_x)).sum({2});
  Tensor log_pz = -get_normal_nll(z, zeros_like(z), zeros_like(z)).sum({2});
  Tensor log_qz = -get_normal_nll(z, mu_z.unsqueeze(0), log_std_z.unsqueeze(0)).sum({2});
  return log_px + log_pz - log_qz;
}

}  // namespace dgm::models::vae
