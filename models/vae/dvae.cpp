#include "models/vae/dvae.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/reduction.h"
#include "models/vae/gumbel_softmax.h"
#include "nn/functional/loss.h"
#include "nn/functional/softmax.h"
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

// KL(q || Unif(K)) = sum_k q_k log q_k + log K
Tensor kl_to_uniform(const Tensor& logits, int64_t dim) {
  DGM_CHECK(logits.defined() && logits.dim() >= 1, "kl_to_uniform: expected logits with at least one dimension");
  const int64_t d = dim < 0 ? dim + logits.dim() : dim;
  DGM_CHECK(d >= 0 && d < logits.dim(), "kl_to_uniform: dim ", dim, " out of range for ", shape_str(logits.shape()));
  Tensor log_q = log_softmax(logits, d);
  return (exp(log_q) * log_q).sum({d}) + std::log(static_cast<double>(logits.size(d)));
}

// tau = max(tau_min, tau_0 exp(-rate * step))
double gumbel_temperature(int64_t step, double tau_0, double tau_min, double rate) {
  return std::max(tau_min, tau_0 * std::exp(-rate * static_cast<double>(step)));
}

DiscreteVAE::DiscreteVAE(DiscreteVAEOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  DGM_CHECK(o.latents >= 1 && o.classes >= 2,
            "DiscreteVAE: expected latents >= 1 and classes >= 2, got latents=", o.latents, ", classes=", o.classes);
  DGM_CHECK(o.tau_0 > 0 && o.tau_min > 0 && o.tau_min <= o.tau_0 && o.anneal_rate >= 0,
            "DiscreteVAE: expected 0 < tau_min <= tau_0 and anneal_rate >= 0, got tau_0=", o.tau_0,
            ", tau_min=", o.tau_min, ", anneal_rate=", o.anneal_rate);
  std::vector<int64_t> enc{kPixels};
  enc.insert(enc.end(), o.hidden.begin(), o.hidden.end());
  enc.push_back(o.latents * o.classes);
  std::vector<int64_t> dec(enc.rbegin(), enc.rend());
  encoder_ = register_module("encoder", nn::mlp(enc));
  decoder_ = register_module("decoder", nn::mlp(dec));
  step_ = register_buffer("step", zeros({}, kInt64));
}

std::string DiscreteVAE::extra_repr() const {
  return "latents=" + std::to_string(options_.latents) + ", classes=" + std::to_string(options_.classes) +
         ", hard=" + nn::py_bool(options_.hard);
}

Tensor DiscreteVAE::encode(const Tensor& x) {
  check_images("DiscreteVAE.encode", x);
  return encoder_->forward(x.flatten(1)).view({x.size(0), options_.latents, options_.classes});
}

Tensor DiscreteVAE::decode(const Tensor& c) {
  DGM_CHECK(c.defined() && c.dim() == 3 && c.size(1) == options_.latents && c.size(2) == options_.classes,
            "DiscreteVAE.decode: expected codes (B,", options_.latents, ",", options_.classes, "), got ",
            c.defined() ? shape_str(c.shape()) : "undefined");
  return decoder_->forward(c.flatten(1)).view({c.size(0), 1, 28, 28});
}

int64_t DiscreteVAE::step() const { return step_.item<int64_t>(); }

double DiscreteVAE::temperature() const {
  return gumbel_temperature(step(), options_.tau_0, options_.tau_min, options_.anneal_rate);
}

Losses DiscreteVAE::loss(const Batch& batch) {
  const Tensor& x = batch.x;
  Tensor logits = encode(x);
  const double tau = temperature();
  // train: relaxed (or straight-through) samples; eval: exact one-hot draws (Gumbel-max)
  Tensor c = gumbel_softmax(logits, tau, is_training() ? options_.hard : true);
  const double b = static_cast<double>(x.size(0));
  // -log p(x|c), summed over pixels
  Tensor recon = nn::functional::binary_cross_entropy_with_logits(decode(c), x, "sum") / b;
  // KL = sum_n (-H(q_n) + log K)
  Tensor kl = kl_to_uniform(logits).sum() / b;
  Tensor t = full({}, tau, TensorOptions(logits.dtype()).device(logits.device()));
  return {{"loss", recon + kl}, {"recon_loss", recon}, {"kl_loss", kl}, {"tau", t}};
}

Losses DiscreteVAE::train_step(const Batch& batch, train::Optimizers& optimizers) {
  Losses losses = GenerativeModel::train_step(batch, optimizers);
  NoGradGuard no_grad;
  step_.add_(1.0);
  return losses;
}

Tensor DiscreteVAE::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, "DiscreteVAE.sample: n must be non-negative, got ", n);
  const Tensor p = parameters().front();
  // c_n ~ Uniform(K), one-hot
  Tensor idx =
      randint(0, options_.classes, {n, options_.latents}, TensorOptions(kInt64).device(p.device()), options.gen);
  Tensor c = one_hot(idx, options_.classes).to(p.dtype());
  return sigmoid(decode(c));
}

Tensor DiscreteVAE::log_importance_weights(const Tensor& x, int64_t k, Generator* gen) {
  check_images("DiscreteVAE.log_importance_weights", x);
  DGM_CHECK(k >= 1, "DiscreteVAE.log_importance_weights: k must be at least 1, got ", k);
  const int64_t b = x.size(0), n = options_.latents, classes = options_.classes;
  Tensor log_q_all = log_softmax(encode(x), 2).unsqueeze(0).expand({k, b, n, classes}).reshape({k * b, n, classes});
  // c ~ q(c|x) exactly: one_hot(argmax(log q + g))
  Tensor c = gumbel_softmax(log_q_all.detach(), 1.0, true, gen);
  Tensor xs = x.unsqueeze(0).expand({k, b, 1, 28, 28}).reshape({k * b, 1, 28, 28});
  // log p(x|c) = -sum BCE;  log p(c) = -N log K;  log q(c|x) = sum_n log q_n(c_n)
  Tensor log_px = -nn::functional::binary_cross_entropy_with_logits(decode(c), xs, "none").sum({1, 2, 3});
  Tensor log_q = (c * log_q_all).sum({1, 2});
  const double log_pc = -static_cast<double>(n) * std::log(static_cast<double>(classes));
  return (log_px + log_pc - log_q).view({k, b});
}

}  // namespace dgm::models::vae
