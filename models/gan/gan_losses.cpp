#include "models/gan/gan_losses.h"

#include "autograd/ops/elementwise.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

namespace {

void check_pair(const char* op, const Tensor& real, const Tensor& fake) {
  DGM_CHECK(real.dim() >= 1 && fake.dim() >= 1 && real.numel() > 0 && fake.numel() > 0, op,
            ": expected non-empty critic outputs (B) or (B,1), got real ", shape_str(real.shape()), " and fake ",
            shape_str(fake.shape()));
}

void check_fake(const char* op, const Tensor& fake) {
  DGM_CHECK(fake.dim() >= 1 && fake.numel() > 0, op, ": expected non-empty critic outputs (B) or (B,1), got ",
            shape_str(fake.shape()));
}

}  // namespace

// -log sigmoid(l) = softplus(-l); -log(1 - sigmoid(l)) = softplus(l)
Tensor discriminator_loss(const Tensor& real, const Tensor& fake) {
  check_pair("discriminator_loss", real, fake);
  return softplus(-real).mean() + softplus(fake).mean();
}

// log(1 - sigmoid(l)) = -softplus(l)
Tensor saturating_generator_loss(const Tensor& fake) {
  check_fake("saturating_generator_loss", fake);
  return -softplus(fake).mean();
}

// -log sigmoid(l) = softplus(-l): the non-saturating generator loss
Tensor nonsaturating_generator_loss(const Tensor& fake) {
  check_fake("nonsaturating_generator_loss", fake);
  return softplus(-fake).mean();
}

Tensor wasserstein_critic_loss(const Tensor& real, const Tensor& fake) {
  check_pair("wasserstein_critic_loss", real, fake);
  return fake.mean() - real.mean();
}

Tensor wasserstein_generator_loss(const Tensor& fake) {
  check_fake("wasserstein_generator_loss", fake);
  return -fake.mean();
}

Tensor hinge_critic_loss(const Tensor& real, const Tensor& fake) {
  check_pair("hinge_critic_loss", real, fake);
  return relu(1.0 - real).mean() + relu(1.0 + fake).mean();
}

Tensor hinge_generator_loss(const Tensor& fake) {
  check_fake("hinge_generator_loss", fake);
  return -fake.mean();
}

void check_f_divergence(const std::string& d) {
  DGM_CHECK(d == "kl" || d == "pearson" || d == "gan", "f-GAN: divergence must be kl, pearson or gan, got \"", d, "\"");
}

Tensor f_output_activation(const std::string& d, const Tensor& v) {
  check_f_divergence(d);
  if (d == "gan") return -softplus(-v);  // log sigmoid(v) < 0 = dom f*
  return v;                              // kl, pearson: dom f* = R
}

Tensor f_conjugate(const std::string& d, const Tensor& t) {
  check_f_divergence(d);
  if (d == "kl") return exp(t - 1.0);
  if (d == "pearson") return 0.25 * t.square() + t;
  return -log1p(-exp(t));  // gan: -log(1 - e^t), t < 0
}

Tensor fgan_critic_loss(const std::string& d, const Tensor& real, const Tensor& fake) {
  check_pair("fgan_critic_loss", real, fake);
  Tensor fake_t = f_output_activation(d, fake);
  // for "gan" f*(log sigmoid(v)) = -log(1 - sigmoid(v)) = softplus(v), written stably
  Tensor conj = d == "gan" ? softplus(fake) : f_conjugate(d, fake_t);
  return conj.mean() - f_output_activation(d, real).mean();
}

Tensor fgan_generator_loss(const std::string& d, const Tensor& fake) {
  check_fake("fgan_generator_loss", fake);
  return -f_output_activation(d, fake).mean();
}

}  // namespace dgm::models::gan
