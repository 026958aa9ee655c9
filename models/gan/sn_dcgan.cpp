#include "models/gan/sn_dcgan.h"

#include "models/gan/gan_losses.h"
#include "models/train/optimizers.h"
#include "nn/modules/activation.h"
#include "nn/modules/conv.h"
#include "nn/modules/linear.h"
#include "nn/modules/normalization.h"
#include "nn/modules/spectral_norm.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

namespace {

// (B, 16 c) -> (B, c, 4, 4)
class ToMap : public nn::Module {
 public:
  explicit ToMap(int64_t c) : c_(c) {}
  Tensor forward(const Tensor& x) override { return x.reshape({x.size(0), c_, 4, 4}); }
  std::string name() const override { return "ToMap"; }

 private:
  int64_t c_;
};

}  // namespace

SNDCGAN::SNDCGAN(int64_t channels_, int64_t width_, int64_t z_dim_)
    : channels(channels_), width(width_), z_dim(z_dim_) {
  DGM_CHECK(channels > 0 && width > 0 && z_dim > 0, "SNDCGAN: channels, width and z_dim must be positive, got ",
            channels, ", ", width, ", ", z_dim);
  const int64_t w = width;
  generator = register_module(
      "generator",
      std::make_shared<nn::Sequential>(
          std::make_shared<nn::Linear>(z_dim, 4 * w * 16), std::make_shared<ToMap>(4 * w),
          std::make_shared<nn::BatchNorm2d>(4 * w), std::make_shared<nn::ReLU>(),
          std::make_shared<nn::ConvTranspose2d>(4 * w, 2 * w, 4, 2, 1), std::make_shared<nn::BatchNorm2d>(2 * w),
          std::make_shared<nn::ReLU>(), std::make_shared<nn::ConvTranspose2d>(2 * w, w, 4, 2, 1),
          std::make_shared<nn::BatchNorm2d>(w), std::make_shared<nn::ReLU>(),
          std::make_shared<nn::ConvTranspose2d>(w, channels, 4, 2, 1), std::make_shared<nn::Tanh>()));
  critic = register_module(
      "critic",
      std::make_shared<nn::Sequential>(
          std::make_shared<nn::SpectralNormConv2d>(channels, w, 4, 2, 1), std::make_shared<nn::LeakyReLU>(0.2),
          std::make_shared<nn::SpectralNormConv2d>(w, 2 * w, 4, 2, 1), std::make_shared<nn::LeakyReLU>(0.2),
          std::make_shared<nn::SpectralNormConv2d>(2 * w, 4 * w, 4, 2, 1), std::make_shared<nn::LeakyReLU>(0.2),
          std::make_shared<nn::Flatten>(), std::make_shared<nn::SpectralNormLinear>(4 * w * 16, 1)));
}

std::map<std::string, std::vector<Tensor>> SNDCGAN::optimizer_groups() {
  return {{"generator", generator->parameters()}, {"critic", critic->parameters()}};
}

Tensor SNDCGAN::sample(int64_t n, const SampleOptions& options) {
  // z on the generator's device (a --device cuda run keeps its weights there)
  return generator->forward(
      randn({n, z_dim}, TensorOptions().device(generator->parameters().front().device()), options.gen));
}

Tensor SNDCGAN::generate(int64_t n, const SampleOptions& options) {
  return ((sample(n, options) + 1.0) / 2.0).clamp(0.0, 1.0);
}

Losses SNDCGAN::loss(const Batch& batch) {
  DGM_CHECK(batch.x.dim() == 4 && batch.x.size(1) == channels && batch.x.size(2) == 32 && batch.x.size(3) == 32,
            "SNDCGAN::loss: expected images (B,", channels, ",32,32), got ", shape_str(batch.x.shape()));
  Tensor fake_scores = critic_forward(sample(batch.size()));
  return {{"critic_loss", hinge_critic_loss(critic_forward(batch.x), fake_scores)},
          {"generator_loss", hinge_generator_loss(fake_scores)}};
}

Losses SNDCGAN::train_step(const Batch& batch, train::Optimizers& opt) {
  opt.zero_grad("critic");
  Tensor c_loss = hinge_critic_loss(critic_forward(batch.x), critic_forward(sample(batch.size()).detach()));
  c_loss.backward();
  opt.step("critic");
  opt.zero_grad("generator");
  Tensor g_loss = hinge_generator_loss(critic_forward(sample(batch.size())));
  g_loss.backward();
  opt.step("generator");
  return {{"critic_loss", c_loss.detach()}, {"generator_loss", g_loss.detach()}};
}

}  // namespace dgm::models::gan
