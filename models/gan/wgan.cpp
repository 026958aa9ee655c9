#include "models/gan/wgan.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "models/gan/penalties.h"
#include "models/gan/wgan_pictures.h"
#include "models/train/optimizers.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::gan {

WGAN::WGAN(int64_t input_size_, int64_t n_channels_, std::optional<double> clip_c_, int64_t image_channels_,
           int64_t n_critic_)
    : input_size(input_size_),
      n_channels(n_channels_),
      image_channels(image_channels_),
      n_critic(n_critic_),
      clip_c(clip_c_) {
  DGM_CHECK(n_critic > 0, "WGAN: n_critic must be positive, got ", n_critic);
  generator = register_module("generator", std::make_shared<ConvGenerator>(input_size, n_channels, image_channels));
  critic = register_module("critic", std::make_shared<ConvCritic>(n_channels, clip_c, image_channels));
  calls = register_buffer("calls", zeros({}, kInt64));
}

std::string WGAN::extra_repr() const {
  return "input_size=" + std::to_string(input_size) + ", n_channels=" + std::to_string(n_channels) +
         ", n_critic=" + std::to_string(n_critic) + (clip_c ? ", clip_c=" + std::to_string(*clip_c) : std::string());
}

void WGAN::check_images(const Tensor& x, const char* who) const {
  DGM_CHECK(x.dim() == 4 && x.size(1) == image_channels && x.size(2) == 32 && x.size(3) == 32 && x.size(0) > 0, who,
            ": expected images (B, ", image_channels, ", 32, 32) in [-1, 1], got ", shape_str(x.shape()));
}

Tensor WGAN::noise(int64_t n, Generator* gen) const {
  DGM_CHECK(n > 0, "WGAN: expected a positive number of samples, got ", n);
  return randn({n, input_size}, TensorOptions().device(generator->linear->weight.device()), gen);
}

Tensor WGAN::sample(int64_t n, const SampleOptions& options) {
  // BEGIN SOLUTION hw3.10/sample
  NoGradGuard no_grad;
  return generator->forward(noise(n, options.gen));
  // END SOLUTION
}

Tensor WGAN::generate(int64_t n, const SampleOptions& options) {
  return ((sample(n, options) + 1.0) * 0.5).clamp(0.0, 1.0);
}

Losses WGAN::generator_losses(const Tensor& fake) {
  // BEGIN SOLUTION hw3.10/generator
  // -E f(G(z)): the generator moves its samples up the critic
  return {{"generator_loss", -critic->forward(fake).mean()}};
  // END SOLUTION
}

Losses WGAN::critic_losses(const Tensor& real, const Tensor& fake, Generator* /*gen*/) {
  check_images(real, "WGAN::critic_losses");
  DGM_CHECK(fake.shape() == real.shape(), "WGAN::critic_losses: fake ", shape_str(fake.shape()),
            " must have the real images' shape ", shape_str(real.shape()));
  // BEGIN SOLUTION hw3.10/critic
  // E f(G(z)) - E f(x): minus the critic's estimate of the Wasserstein distance
  Tensor loss_fake = critic->forward(fake).mean();
  Tensor loss_real = -critic->forward(real).mean();
  return {{"critic_loss", loss_fake + loss_real}, {"critic_loss_fake", loss_fake}, {"critic_loss_real", loss_real}};
  // END SOLUTION
}

Losses WGAN::loss_generator(int64_t batch_size, Generator* gen) {
  return generator_losses(generator->forward(noise(batch_size, gen)));
}

Losses WGAN::loss_discriminator(const Tensor& x, Generator* gen) {
  check_images(x, "WGAN::loss_discriminator");
  return critic_losses(x, sample(x.size(0), gen), gen);
}

Losses WGAN::loss(const Batch& batch) {
  Losses out = loss_discriminator(batch.x);
  out.merge(loss_generator(batch.size()));
  return out;
}

std::map<std::string, std::vector<Tensor>> WGAN::optimizer_groups() {
  return {{"generator", generator->parameters()}, {"critic", critic->parameters()}};
}

Losses WGAN::train_step(const Batch& batch, train::Optimizers& opt) {
  // one critic step, clipped when clip_c is set
  opt.zero_grad("critic");
  Losses out = loss_discriminator(batch.x);
  out.at("critic_loss").backward();
  opt.step("critic");
  if (clip_c) critic->clip_weights();
  for (auto& [key, value] : out) value = value.detach();
  const int64_t call = calls.item<int64_t>() + 1;
  {
    NoGradGuard no_grad;
    calls.fill_(static_cast<double>(call));
  }
  // every n_critic-th call, one generator step
  if (call % n_critic == 0) {
    opt.zero_grad("generator");
    Losses g = loss_generator(batch.size());
    g.at("generator_loss").backward();
    opt.step("generator");
    out["generator_loss"] = g.at("generator_loss").detach();
  }
  return out;
}

void WGAN::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  save_weight_histogram(dir + "/critic_weights.png", *critic);
}

WGAN_GP::WGAN_GP(double gp_weight_, int64_t input_size_, int64_t n_channels_, int64_t image_channels_,
                 int64_t n_critic_)
    : WGAN(input_size_, n_channels_, std::nullopt, image_channels_, n_critic_), gp_weight(gp_weight_) {
  DGM_CHECK(gp_weight >= 0, "WGAN_GP: gp_weight must be >= 0, got ", gp_weight);
}

std::string WGAN_GP::extra_repr() const { return WGAN::extra_repr() + ", gp_weight=" + std::to_string(gp_weight); }

Tensor WGAN_GP::gradient_penalty(const Tensor& real, const Tensor& fake, Generator* gen) {
  const bool graph = GradMode::is_enabled();
  AutoGradMode enable(true);  // the penalty differentiates the critic, also when evaluating without a graph
  Tensor penalty =
      models::gan::gradient_penalty([this](const Tensor& x) { return critic->forward(x); }, real, fake, gen);
  return graph ? penalty : penalty.detach();
}

Losses WGAN_GP::critic_losses(const Tensor& real, const Tensor& fake, Generator* gen) {
  Losses out = WGAN::critic_losses(real, fake, gen);
  // BEGIN SOLUTION hw3.11/loss
  // critic_loss += gp_weight * E (||grad f(x_t)|| - 1)^2
  Tensor penalty = gp_weight * gradient_penalty(real, fake, gen);
  out["gradient_penalty_loss"] = penalty;
  out["critic_loss"] = out.at("critic_loss") + penalty;
  return out;
  // END SOLUTION
}

}  // namespace dgm::models::gan
