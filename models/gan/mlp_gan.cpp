#include "models/gan/mlp_gan.h"

#include "autograd/grad_mode.h"
#include "models/gan/gan_losses.h"
#include "models/gan/gan_pictures.h"
#include "models/gan/mode_coverage.h"
#include "models/gan/penalties.h"
#include "models/train/optimizers.h"
#include "nn/io/scatter.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "nn/modules/spectral_norm.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::gan {

namespace {

constexpr int64_t kCoverageSamples = 2048;

bool is_fgan(const std::string& loss) { return loss == "fgan-kl" || loss == "fgan-pearson"; }
std::string divergence(const std::string& loss) { return loss.substr(5); }  // "fgan-kl" -> "kl"

void check_config(const MLPGANConfig& c) {
  DGM_CHECK(c.loss == "gan" || c.loss == "nsgan" || c.loss == "wgan" || c.loss == "wgan-gp" || c.loss == "hinge" ||
                is_fgan(c.loss),
            "MLPGAN: loss must be gan, nsgan, wgan, wgan-gp, hinge, fgan-kl or fgan-pearson, got \"", c.loss, "\"");
  DGM_CHECK(c.data_dim > 0 && c.noise_dim > 0 && c.n_critic >= 1, "MLPGAN: expected data_dim, noise_dim > 0 and ",
            "n_critic >= 1, got ", c.data_dim, ", ", c.noise_dim, ", ", c.n_critic);
  DGM_CHECK(c.noise == "normal" || c.noise == "uniform", "MLPGAN: noise must be normal or uniform, got \"", c.noise,
            "\"");
  DGM_CHECK(c.clip_value > 0 && c.gp_lambda >= 0, "MLPGAN: expected clip_value > 0 and gp_lambda >= 0, got ",
            c.clip_value, ", ", c.gp_lambda);
  DGM_CHECK(!c.ring_metrics || c.data_dim == 2, "MLPGAN: ring metrics need 2-D data, got data_dim ", c.data_dim);
  for (int64_t h : c.generator_hidden) DGM_CHECK(h > 0, "MLPGAN: generator widths must be positive, got ", h);
  for (int64_t h : c.critic_hidden) DGM_CHECK(h > 0, "MLPGAN: critic widths must be positive, got ", h);
}

std::shared_ptr<nn::Module> linear(int64_t in, int64_t out, bool spectral_norm) {
  if (spectral_norm) return std::make_shared<nn::SpectralNormLinear>(in, out);
  return std::make_shared<nn::Linear>(in, out);
}

}  // namespace

MLPGAN::MLPGAN(MLPGANConfig c) : config((check_config(c), std::move(c))) {
  generator = register_module("generator", std::make_shared<nn::Sequential>());
  int64_t width = config.noise_dim;
  for (int64_t h : config.generator_hidden) {
    generator->push_back(std::make_shared<nn::Linear>(width, h));
    generator->push_back(std::make_shared<nn::ReLU>());
    width = h;
  }
  generator->push_back(std::make_shared<nn::Linear>(width, config.data_dim));
  critic = register_module("critic", std::make_shared<nn::Sequential>());
  width = config.data_dim;
  for (int64_t h : config.critic_hidden) {
    critic->push_back(linear(width, h, config.spectral_norm));
    critic->push_back(std::make_shared<nn::LeakyReLU>(0.2));
    width = h;
  }
  critic->push_back(linear(width, 1, config.spectral_norm));
  calls = register_buffer("calls", zeros({}, kInt64));
}

std::map<std::string, std::vector<Tensor>> MLPGAN::optimizer_groups() {
  return {{"generator", generator->parameters()}, {"critic", critic->parameters()}};
}

Tensor MLPGAN::sample(int64_t n, const SampleOptions& options) {
  // z on the generator's device (a --device cuda run keeps its weights there)
  const TensorOptions on = TensorOptions().device(generator->parameters().front().device());
  Tensor z = config.noise == "uniform" ? rand({n, config.noise_dim}, on, options.gen) - 0.5
                                       : randn({n, config.noise_dim}, on, options.gen);
  return generator->forward(z);
}

Tensor MLPGAN::critic_loss(const Tensor& real, const Tensor& fake) const {
  const std::string& l = config.loss;
  if (l == "gan" || l == "nsgan") return discriminator_loss(real, fake);
  if (l == "wgan" || l == "wgan-gp") return wasserstein_critic_loss(real, fake);
  if (l == "hinge") return hinge_critic_loss(real, fake);
  return fgan_critic_loss(divergence(l), real, fake);
}

Tensor MLPGAN::generator_loss(const Tensor& fake) const {
  const std::string& l = config.loss;
  if (l == "gan") return saturating_generator_loss(fake);
  if (l == "nsgan") return nonsaturating_generator_loss(fake);
  if (l == "wgan" || l == "wgan-gp") return wasserstein_generator_loss(fake);
  if (l == "hinge") return hinge_generator_loss(fake);
  return fgan_generator_loss(divergence(l), fake);
}

void MLPGAN::clip_critic_weights() {
  NoGradGuard no_grad;
  for (Tensor& p : critic->parameters()) p.clamp_(-config.clip_value, config.clip_value);
}

Losses MLPGAN::loss(const Batch& batch) {
  DGM_CHECK(batch.x.dim() == 2 && batch.x.size(1) == config.data_dim, "MLPGAN::loss: expected points (B,",
            config.data_dim, "), got ", shape_str(batch.x.shape()));
  Tensor fake = sample(batch.size());
  Tensor fake_scores = critic_forward(fake);
  Losses out{{"critic_loss", critic_loss(critic_forward(batch.x), fake_scores)},
             {"generator_loss", generator_loss(fake_scores)}};
  if (config.ring_metrics) {
    // on 2048 samples whatever the batch size, so the 1 % rule of mode_coverage means the same in every preset
    const ModeCoverage m = mode_coverage(sample(kCoverageSamples), ring_centers(), ring_sigma());
    out["modes"] = scalar_tensor(static_cast<double>(m.modes_hit));
    out["high_quality"] = scalar_tensor(m.high_quality);
  }
  if (config.data_dim == 1) out["right_share"] = fake.detach().gt(0.0).to(kFloat64).mean();
  return out;
}

Losses MLPGAN::train_step(const Batch& batch, train::Optimizers& opt) {
  opt.zero_grad("critic");
  Tensor fake = sample(batch.size()).detach();
  Tensor c_loss = critic_loss(critic_forward(batch.x), critic_forward(fake));
  Losses out{{"critic_loss", c_loss.detach()}};
  Tensor total = c_loss;
  if (config.loss == "wgan-gp") {
    Tensor gp = gradient_penalty([this](const Tensor& x) { return critic_forward(x); }, batch.x, fake, nullptr);
    total = c_loss + config.gp_lambda * gp;
    out["gradient_penalty"] = gp.detach();
  }
  total.backward();
  opt.step("critic");
  if (config.loss == "wgan") clip_critic_weights();
  const int64_t call = calls.item<int64_t>() + 1;
  {
    NoGradGuard no_grad;
    calls.fill_(static_cast<double>(call));
  }
  if (call % config.n_critic == 0) {
    opt.zero_grad("generator");
    Tensor g_loss = generator_loss(critic_forward(sample(batch.size())));
    g_loss.backward();
    opt.step("generator");
    out["generator_loss"] = g_loss.detach();
  }
  return out;
}

void MLPGAN::save_pictures(const std::string& dir, const Batch& test, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test, n_samples, gen);
  const bool probability = config.loss == "gan" || config.loss == "nsgan";
  ScalarField out = [this, probability](const Tensor& x) {
    Tensor s = critic_forward(x);
    return probability ? s.sigmoid() : s;
  };
  const std::string what = probability ? "D(x) = sigmoid(logit)" : "critic score";
  if (config.data_dim == 2) {
    save_value_map(dir + "/critic.png", out, -2.5, 2.5, -2.5, 2.5, test.x, 200);
    save_value_map(
        dir + "/critic_grad_norm.png", [&](const Tensor& x) { return field_gradient_norm(out, x); }, -2.5, 2.5, -2.5,
        2.5, test.x, 200);
  } else if (config.data_dim == 1) {
    save_value_curves(dir + "/critic.png", out, -8, 8, what);
  }
  std::vector<Tensor> weights;
  for (const auto& [key, p] : critic->named_parameters())
    if (key.find("weight") != std::string::npos) weights.push_back(p);
  save_weight_histogram(dir + "/critic_weights.png", weights, "critic weights (" + config.loss + ")");
}

}  // namespace dgm::models::gan
